"""One night of a folder with several schools gives the same result whatever the order its
schools run in and the number of processes (newcomer 9b, NEW-1): every school's import is in
the store before any school's plan reads the other schools' newest campaigns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_folder_logins import _roll, _run
from tests.cli.test_identity_cases import CASES
from tests.conftest import Cli, add_eleve

A, B = "0860999U", "0861001W"  # A runs first (UAI order), B has the pupil's account


def _a_listing_malo(tmp_path: Path) -> Path:
    """A's 2026 export lists RENARD Malo, a pupil of B whose own 2026 export lists him too:
    a double enrolment (B's account stays in B, A holds him), not a transfer to A."""
    folder = tmp_path / "A-2026-with-malo"
    shutil.copytree(CASES / "moved" / "A-2026", folder)
    add_eleve(folder / "ElevesSansAdresses.xml", "101803", "071818183RT", ("RENARD", "Malo"),
              "11/09/2012", "4A", "01/09/2026")
    return folder


def _drop(cli: Cli, uai: str, folder: Path) -> None:
    depot = cli.home / "depot" / uai
    depot.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        shutil.copy(path, depot / path.name)


def _malo(cli: Cli, uai: str) -> list[tuple[object, ...]]:
    return [(a["login"], a["status"]) for a in json.loads(
        _run(cli, "accounts", "--json", "--uai", uai)) if a["last_name"] == "RENARD"]


def _night_with_malo_listed_twice(cli: Cli, tmp_path: Path, jobs: str) -> dict[str, Any]:
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    _roll(cli, A, CASES / "moved" / "A-2025", "2025-09-01")
    _roll(cli, B, CASES / "moved" / "B-2025", "2025-09-01")
    assert _malo(cli, B) == [("mrenard", "active")]
    _drop(cli, A, _a_listing_malo(tmp_path))
    _drop(cli, B, CASES / "moved" / "B-2026")
    result = cli("run", "--at", "2026-09-03T02:30", "--jobs", jobs, "--json")
    assert result.exit_code in (0, 1), result.output
    return {s["uai"]: s for s in json.loads(result.stdout)["schools"]}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_school_is_planned_after_every_import_of_the_night(
        cli: Cli, tmp_path: Path, jobs: str) -> None:
    """A runs first. On the old code A's plan read B's campaign of 2025 (B's import of the
    night not done yet) and took Malo from B: a transfer, then B held its own pupil. Every
    import first, A's plan sees B's 2026 export listing him: A holds him, B keeps him."""
    schools = _night_with_malo_listed_twice(cli, tmp_path, jobs)
    for uai in (A, B):
        assert schools[uai]["outcome"] != "failed", schools[uai]
    assert _malo(cli, B) == [("mrenard", "active")]
    assert _malo(cli, A) == []
    waiting = " ".join(schools[A]["people_waiting"]["held"])
    assert "RENARD Malo" in waiting and f"inscrit(e) aussi au collège {B}" in waiting


TOLD = ("RENARD Malo (m.renard) : inscrit(e) aussi dans un autre collège du dossier, Collège A "
        f"({A}), par son export du 02/09/2026 ; son compte reste ici")


def test_the_school_keeping_the_account_is_told(cli: Cli, tmp_path: Path) -> None:
    """Newcomer 9b, finding 1: B keeps Malo's account while A's export lists him too; A's
    verify named him, B's said nothing. B's verify names him, the other collège and what to
    do, and so does B's verification in the night's report."""
    schools = _night_with_malo_listed_twice(cli, tmp_path, "1")
    verify = {s["step"]: s for s in schools[B]["steps"]}["verify"]
    assert verify["status"] == "done" and TOLD in verify["reason"], verify
    assert verify["counts"].get("erreur", 0) >= 1
    verified = cli("verify", "--uai", B, "--at", "2026-09-03T09:00")
    assert verified.exit_code == 1, verified.output  # an error found
    found = " ".join(verified.stdout.split())
    assert "Élèves inscrits aussi dans un autre collège du dossier" in found
    assert TOLD in found and "corrige sa fiche dans Siècle-BEE" in found
    in_a = " ".join(cli("verify", "--uai", A, "--at", "2026-09-03T09:00").stdout.split())
    assert "Élèves de l'export sans compte dans ce collège" in in_a
    assert "Élèves inscrits aussi dans un autre collège" not in in_a  # no account in A


def test_a_campaign_read_again_from_the_process_memory_lists_the_same(
        cli: Cli, tmp_path: Path) -> None:
    """listed_elsewhere keeps each campaign's INEs by its hash: the same answer as read from
    the store, on any day (a DATE_SORTIE is judged on the day asked)."""
    from datetime import date

    from bascule.settings import load_settings
    from bascule.store.engine import open_store
    from bascule.verification import gather

    _night_with_malo_listed_twice(cli, tmp_path, "1")
    engine = open_store(load_settings(cli.home).store_url)
    for day in (date(2026, 9, 3), date(2027, 7, 10)):
        gather._LISTED.clear()
        cold = gather.listed_elsewhere(engine, B, (A, B), today=day)
        assert gather._LISTED
        assert gather.listed_elsewhere(engine, B, (A, B), today=day) == cold
        assert [one.school for one in cold] == [A]
