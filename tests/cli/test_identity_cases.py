"""The identity cases of real rollovers, with their right values (../shared/cases/identity-*)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import Cli

CASES = Path(__file__).parent.parent / "fixtures" / "identity"
A, B = "0860999U", "0861001W"


def _run(cli: Cli, *args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _roll(cli: Cli, uai: str, folder: Path, at: str) -> None:
    _run(cli, "import", folder)
    _run(cli, "plan", "--uai", uai, "--at", f"{at}T08:00")
    _run(cli, "apply", "--yes", "--uai", uai, "--at", f"{at}T08:30")


def _accounts(cli: Cli, *args: str) -> list[dict[str, object]]:
    return json.loads(_run(cli, "accounts", "--json", *args))  # type: ignore[no-any-return]


def _moodle_ids(cli: Cli, uai: str, out: Path) -> list[str]:
    _run(cli, "feed", "moodle", "--uai", uai, "--out", out)
    (users,) = out.glob("*utilisateurs*.csv")
    with users.open(encoding="utf-8-sig", newline="") as handle:
        return [row["idnumber"] for row in csv.DictReader(handle)
                if (row["lastname"], row["firstname"]) == ("RENAUD", "Maël")]


def test_a_newcomer_carrying_another_schools_elenoet_gets_his_own_account(cli: Cli) -> None:
    _run(cli, "init", "--uai", "0861234X", "--name", "Collège des essais")
    _roll(cli, "0861234X", CASES / "elenoet" / "2025", "2025-09-16")
    _roll(cli, "0861234X", CASES / "elenoet" / "2026", "2026-09-16")
    eleves = {a["login"]: a for a in _accounts(cli) if a["profile"] == "eleve"}
    assert set(eleves) == {"lmartin", "hdubois"}
    lea, hugo = eleves["lmartin"], eleves["hdubois"]
    assert (lea["last_name"], lea["first_name"], lea["birth_date"], lea["status"]) == (
        "MARTIN", "Léa", "2013-03-14", "disabled")
    assert "151002" not in json.dumps(lea["source_ids"])
    assert "0987654321Z" not in json.dumps(lea["source_ids"])
    assert (hugo["last_name"], hugo["first_name"], hugo["birth_date"], hugo["status"],
            hugo["division"]) == ("DUBOIS", "Hugo", "2013-02-02", "active", "6A")


def test_a_pupil_moving_to_the_folders_other_college_keeps_his_account(
        cli: Cli, tmp_path: Path) -> None:
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    _roll(cli, A, CASES / "moved" / "A-2025", "2025-09-01")
    _roll(cli, B, CASES / "moved" / "B-2025", "2025-09-01")
    (before,) = _moodle_ids(cli, A, tmp_path / "a-2025")
    _roll(cli, B, CASES / "moved" / "B-2026", "2026-09-01")  # he arrives in B first
    _roll(cli, A, CASES / "moved" / "A-2026", "2026-09-02")  # then A, where he is gone
    in_b = [a for a in _accounts(cli, "--uai", B) if a["last_name"] == "RENAUD"]
    assert [(a["login"], a["status"], a["division"]) for a in in_b] == [
        ("mrenaud", "active", "4A")]
    assert not [a for a in _accounts(cli, "--uai", A) if a["last_name"] == "RENAUD"]
    assert _moodle_ids(cli, B, tmp_path / "b-2026") == [before]
    assert _moodle_ids(cli, A, tmp_path / "a-2026") == []


def test_the_move_also_holds_when_the_former_college_imports_first(cli: Cli) -> None:
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    _roll(cli, A, CASES / "moved" / "A-2025", "2025-09-01")
    _roll(cli, B, CASES / "moved" / "B-2025", "2025-09-01")
    _roll(cli, A, CASES / "moved" / "A-2026", "2026-09-01")  # A disables him as a leaver
    _roll(cli, B, CASES / "moved" / "B-2026", "2026-09-02")  # B takes the account back
    in_b = [a for a in _accounts(cli, "--uai", B) if a["last_name"] == "RENAUD"]
    assert [(a["login"], a["status"], a["division"]) for a in in_b] == [
        ("mrenaud", "active", "4A")]
    assert not [a for a in _accounts(cli, "--uai", A) if a["last_name"] == "RENAUD"]


def test_the_pupils_personal_folder_follows_him_to_the_new_college(cli: Cli,
                                                                   tmp_path: Path) -> None:
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    root = tmp_path / "espaces"
    for uai, year in ((A, "A-2025"), (B, "B-2025")):
        _roll(cli, uai, CASES / "moved" / year, "2025-09-01")
        _run(cli, "spaces", "sync", "--uai", uai, "--root", root, "--at", "2025-09-02T08:00")
    (root / A / "Eleves" / "mrenaud" / "expose.odt").write_text("travail de 5e")
    _roll(cli, B, CASES / "moved" / "B-2026", "2026-09-01")
    shown = _run(cli, "spaces", "sync", "--uai", B, "--at", "2026-09-02T08:00")
    assert "Venu d'un autre collège du dossier avec son élève : Eleves/mrenaud" in shown
    assert (root / B / "Eleves" / "mrenaud" / "expose.odt").read_text() == "travail de 5e"
    assert not (root / A / "Eleves" / "mrenaud").exists()
