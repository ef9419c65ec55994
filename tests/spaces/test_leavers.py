"""Leavers' grace: with `[lifecycle] leavers_keep_files_until_deletion`, a disabled account's
owner keeps reading (never writing) their own folder until the September deletions."""

from __future__ import annotations

import json

from bascule.synthetic.generate import GeneratedCollege
from tests.cli.test_backups import AT, college
from tests.cli.test_rollover import _plan
from tests.conftest import Cli

__all__ = ["college"]  # fixture

RENTREE = "2026-09-02T10:00"


def _rights(cli: Cli, path: str) -> list[dict[str, str]] | None:
    found = json.loads(cli("spaces", "sync", "--manifest", "json").stdout)
    return next((space["access"] for space in found if space["path"] == path), None)


def test_a_leaver_reads_their_folder_until_the_deletions_when_the_school_chooses_it(
        cli: Cli, college: GeneratedCollege) -> None:
    cli("init", "--uai", college.uai, "--name", "Collège")
    for folder, at in ((college.folders[0], AT), (college.folders[1], RENTREE)):
        assert cli("import", folder).exit_code == 0
        _plan(cli, "--at", at)
        assert cli("apply", "--yes", "--at", at).exit_code == 0
    leaver = next(a for a in json.loads(cli("accounts", "--json").stdout)
                  if a["status"] == "disabled" and a["profile"] == "eleve")["login"]
    path = f"Eleves/{leaver}"
    assert _rights(cli, path) == []  # by default: no rights left at all
    config = cli.home / "bascule.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n[lifecycle]\nleavers_keep_files_until_deletion = true\n",
                      encoding="utf-8")
    assert _rights(cli, path) == [{"principal": "user", "name": leaver, "rights": "r"}]
    assert cli("lifecycle", "--at", "2026-09-15T08:00").exit_code == 0
    assert cli("apply", "--yes", "--at", "2026-09-15T08:00").exit_code == 0
    assert _rights(cli, path) is None  # deleted, and no folder of theirs on disk: not listed
