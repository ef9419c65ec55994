"""A night takes one backup of the store, before its first apply, for all its applies (two
schools applied by two processes here): each apply's history names it, and restoring it puts
the store back as the night found it. An apply by hand keeps a backup of its own."""

from __future__ import annotations

import json

import pytest

from bascule.errors import UserError
from bascule.synthetic.generate import generate_campaigns
from tests.conftest import Cli
from tests.night.test_nights import RESUMED, drop


def test_a_night_takes_one_backup_before_its_applies_which_restores_it_whole(cli: Cli) -> None:
    colleges = generate_campaigns(cli.home.parent / "exports", colleges=2, seed=3, year=2025,
                                  size=30)
    for college in colleges:
        assert cli("init", "--uai", college.uai, "--name", college.name).exit_code == 0
        drop(cli, college, college.folders[0])
    night = cli("run", "--at", RESUMED, "--jobs", "2", "--json")
    assert night.exit_code == 0, night.output
    assert {s["outcome"] for s in json.loads(night.stdout)["schools"]} == {"applied"}
    (taken,) = (cli.home / "sauvegardes").glob("*.sqlite")
    meta = json.loads(taken.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["uai"] == "tous" and meta["reason"] == "avant les applications de la nuit"
    for college in colleges:
        (applied,) = json.loads(cli("history", "--json", "--uai", college.uai).stdout)
        assert applied["backup"] == taken.stem
        assert json.loads(cli("accounts", "--json", "--uai", college.uai).stdout)
    restored = cli("backup", "restore", taken.stem, "--yes")
    assert restored.exit_code == 0, restored.output
    for college in colleges:
        assert json.loads(cli("accounts", "--json", "--uai", college.uai).stdout) == []
        assert json.loads(cli("history", "--json", "--uai", college.uai).stdout) == []


def test_a_night_backup_still_held_elsewhere_is_refused_in_words_of_the_night(
        home_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.operations import backups
    from bascule.operations.campaign import utc_now
    from bascule.operations.locks import school_lock
    from bascule.settings import load_settings

    monkeypatch.setattr(backups, "NIGHT_BACKUP_WAIT_SECONDS", 0.2)
    settings, now = load_settings(home_cli.home), utc_now()
    with (school_lock(home_cli.home, backups.NIGHT_BACKUP_LOCK, "sauvegarde de la nuit"),
          pytest.raises(UserError) as refused):
        backups.night_backup(settings, night=now, actor="test", now=now)
    assert "La sauvegarde de la nuit, commencée par l'application d'un autre établissement" \
        in refused.value.message
    assert backups.NIGHT_BACKUP_LOCK not in refused.value.message
