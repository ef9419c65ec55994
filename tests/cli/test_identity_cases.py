"""The identity cases of real rollovers, with their right values (../shared/cases/identity-*)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_folder_logins import _roll, _run
from tests.conftest import Cli, add_eleve, edit

CASES = Path(__file__).parent.parent / "fixtures" / "identity"
A, B = "0860999U", "0861001W"


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


def _both_colleges_in_2025(cli: Cli) -> None:
    """A folder of collèges A and B, each rolled over into 2025 (the moved case's exports)."""
    _run(cli, "init", "--uai", A, "--name", "Collège A")
    _run(cli, "init", "--uai", B, "--name", "Collège B")
    _roll(cli, A, CASES / "moved" / "A-2025", "2025-09-01")
    _roll(cli, B, CASES / "moved" / "B-2025", "2025-09-01")


def test_a_pupil_moving_to_the_folders_other_college_keeps_his_account(
        cli: Cli, tmp_path: Path) -> None:
    _both_colleges_in_2025(cli)
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
    _both_colleges_in_2025(cli)
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


def _still_listing_him(tmp_path: Path) -> Path:
    """A's 2026 export still listing RENAUD Maël (4A): Siècle-BEE of A never recorded that he
    left, while B's export lists him too."""
    folder = tmp_path / "A-2026-with-him"
    shutil.copytree(CASES / "moved" / "A-2026", folder)
    add_eleve(folder / "ElevesSansAdresses.xml", "101801", "071818181RR", ("RENAUD", "Maël"),
              "09/09/2012", "4A", "01/09/2025")
    return folder


def _renaud(cli: Cli, uai: str) -> list[tuple[object, ...]]:
    return [(a["login"], a["status"], a["division"]) for a in _accounts(cli, "--uai", uai)
            if a["last_name"] == "RENAUD"]


DOUBLE = "inscrit(e) aussi au collège {} dans son export du 02/09/2026 : à corriger dans Siècle-BEE"


@pytest.mark.parametrize("first", [A, B])
def test_a_pupil_both_colleges_list_this_year_is_held_and_never_moves(
        cli: Cli, tmp_path: Path, first: str) -> None:
    """Newcomer-9 #1: his account went back and forth between the two colleges every night.
    Each college's newest campaign of 2026 lists him: a double enrolment, to correct in
    Siècle-BEE. The college that has his account keeps it; the other holds him and says why,
    night after night, and `verify` there names him."""
    _both_colleges_in_2025(cli)
    exports = {A: _still_listing_him(tmp_path), B: CASES / "moved" / "B-2026"}
    second = B if first == A else A
    # B first: A has not imported 2026 yet, he moves to B (the usual rentrée); A first: he
    # stays in A, where his 2026 export lists him.
    _roll(cli, first, exports[first], "2026-09-01")
    holder = B if first == B else A
    assert _renaud(cli, holder) == [("mrenaud", "active", "4A")]
    _run(cli, "import", exports[second])
    for day in ("02", "03", "04"):  # each night both plan: nothing moves
        for uai in (second, first):
            shown = _run(cli, "plan", "--uai", uai, "--at", f"2026-09-{day}T02:30")
            assert "accueillir" not in shown
            if uai == second and day == "02":  # then in force: nothing new to plan
                said = " ".join(shown.split())
                assert DOUBLE.format(first) in said, shown
                assert (f"RENAUD Maël (son compte est au collège {holder}, laissé tel quel)"
                        in said), shown
            _run(cli, "apply", "--yes", "--uai", uai, "--at", f"2026-09-{day}T02:30")
        assert _renaud(cli, holder) == [("mrenaud", "active", "4A")]
        assert _renaud(cli, second if holder == first else first) == []
    verified = cli("verify", "--uai", second, "--at", "2026-09-04T09:00")
    assert verified.exit_code == 1, verified.output  # an error found
    found = " ".join(verified.stdout.split())
    assert "Élèves de l'export sans compte dans ce collège" in found
    assert "RENAUD Maël (eleve:" in found and DOUBLE.format(first) in found


def _without_his_ine(tmp_path: Path) -> Path:
    """B's 2026 export with RENAUD Maël's INE left empty (newcomer-9 #11: PETIT Noémie)."""
    folder = tmp_path / "B-2026-no-ine"
    shutil.copytree(CASES / "moved" / "B-2026", folder)
    edit(folder / "ElevesSansAdresses.xml", "<ID_NATIONAL>071818181RR</ID_NATIONAL>",
         "<ID_NATIONAL></ID_NATIONAL>")
    return folder


def _case_of_renaud(cli: Cli) -> dict[str, object]:
    (case,) = [c for c in json.loads(_run(cli, "review", "list", "--json", "--uai", B))
               if c["label"] == "RENAUD Maël"]
    return case  # type: ignore[no-any-return]


def _plan_and_apply(cli: Cli, uai: str, day: str) -> None:
    _run(cli, "plan", "--uai", uai, "--at", f"{day}T08:00")
    _run(cli, "apply", "--yes", "--uai", uai, "--at", f"{day}T08:30")


SAME_AS_HIM = f"même personne que RENAUD Maël (mrenaud) du collège {A} ?"


def _held_in_b_without_his_ine(cli: Cli, tmp_path: Path) -> dict[str, object]:
    """B plans RENAUD Maël without an INE while A's RENAUD Maël, born the same day, is active:
    held, asked, nothing done; his account stays in A as it was."""
    _both_colleges_in_2025(cli)
    _run(cli, "import", _without_his_ine(tmp_path))
    shown = " ".join(_run(cli, "plan", "--uai", B, "--at", "2026-09-01T08:00").split())
    assert "accueillir" not in shown and SAME_AS_HIM in shown, shown
    _run(cli, "apply", "--yes", "--uai", B, "--at", "2026-09-01T08:30")
    assert _renaud(cli, B) == []
    assert _renaud(cli, A) == [("mrenaud", "active", "5A")]
    case = _case_of_renaud(cli)
    assert case["reason"] == SAME_AS_HIM + (" (sans INE dans l'export, même nom, même date de "
                                            "naissance)")
    assert [(c["key"], c["login"], c["school"]) for c in case["candidates"]] == [  # type: ignore[attr-defined]
        (f"{A}/eleve:101801", "mrenaud", A)]
    return case


def test_a_pupil_without_ine_like_an_active_pupil_of_the_other_college_is_asked_then_follows(
        cli: Cli, tmp_path: Path) -> None:
    """Newcomer-9 #11: he got a second account in silence (the folder was searched by INE
    only). « même personne » brings his account over, as an INE transfer does."""
    case = _held_in_b_without_his_ine(cli, tmp_path)
    _run(cli, "review", "resolve", str(case["number"]), "meme", "--uai", B)
    _plan_and_apply(cli, B, "2026-09-02")
    assert _renaud(cli, B) == [("mrenaud", "active", "4A")]
    assert _renaud(cli, A) == []
    assert "RENAUD" not in _run(cli, "plan", "--uai", B, "--at", "2026-09-03T08:00")


def test_a_pupil_without_ine_said_to_be_another_person_gets_his_own_account(
        cli: Cli, tmp_path: Path) -> None:
    case = _held_in_b_without_his_ine(cli, tmp_path)
    _run(cli, "review", "resolve", str(case["number"]), "different", "--uai", B)
    _plan_and_apply(cli, B, "2026-09-02")
    assert _renaud(cli, B) == [("mrenaud", "active", "4A")]  # B's own namespace
    assert _renaud(cli, A) == [("mrenaud", "active", "5A")]
    again = _run(cli, "plan", "--uai", B, "--at", "2026-09-03T08:00")
    assert "RENAUD" not in again and "retenue" not in again, again


def test_a_pupil_without_ine_both_colleges_list_is_asked_then_held_as_enrolled_twice(
        cli: Cli, tmp_path: Path) -> None:
    """A's 2026 export still lists him: once a person says it is him, he is enrolled twice (as
    with his INE), to correct in Siècle-BEE; his account never moves."""
    _both_colleges_in_2025(cli)
    _roll(cli, A, _still_listing_him(tmp_path), "2026-09-02")
    _run(cli, "import", _without_his_ine(tmp_path))
    shown = " ".join(_run(cli, "plan", "--uai", B, "--at", "2026-09-03T08:00").split())
    assert SAME_AS_HIM in shown and DOUBLE.format(A) not in shown, shown
    _run(cli, "apply", "--yes", "--uai", B, "--at", "2026-09-03T08:30")
    _run(cli, "review", "resolve", str(_case_of_renaud(cli)["number"]), "meme", "--uai", B)
    for day in ("04", "05"):
        for uai in (B, A):
            shown = " ".join(_run(cli, "plan", "--uai", uai, "--at", f"2026-09-{day}T02:30")
                             .split())
            assert "accueillir" not in shown, shown
            if uai == B and day == "04":
                assert DOUBLE.format(A) in shown, shown
            _run(cli, "apply", "--yes", "--uai", uai, "--at", f"2026-09-{day}T02:30")
        assert _renaud(cli, A) == [("mrenaud", "active", "4A")]
        assert _renaud(cli, B) == []


def test_a_pupil_without_ine_and_no_namesake_in_the_folder_gets_an_account_as_before(
        cli: Cli, tmp_path: Path) -> None:
    _both_colleges_in_2025(cli)
    folder = _without_his_ine(tmp_path)
    edit(folder / "ElevesSansAdresses.xml", "<DATE_NAISS>09/09/2012</DATE_NAISS>",
         "<DATE_NAISS>10/09/2012</DATE_NAISS>")  # another birth date: another child
    _roll(cli, B, folder, "2026-09-01")
    assert _renaud(cli, B) == [("mrenaud", "active", "4A")]
    assert _renaud(cli, A) == [("mrenaud", "active", "5A")]
    assert _run(cli, "review", "list", "--uai", B).startswith("Aucun cas de revue")


def test_a_transfer_in_doubt_said_to_be_the_same_pupil_follows(cli: Cli, tmp_path: Path) -> None:
    """The same INE with another birth date in B (row 5): held; « même personne » on A's
    account, named « UAI/key », brings it over (it had no effect before: the decision matched
    this school's accounts only, and its copy for a reversal was looked for here)."""
    _both_colleges_in_2025(cli)
    folder = tmp_path / "B-2026-other-birth-date"
    shutil.copytree(CASES / "moved" / "B-2026", folder)
    edit(folder / "ElevesSansAdresses.xml", "<DATE_NAISS>09/09/2012</DATE_NAISS>",
         "<DATE_NAISS>10/09/2012</DATE_NAISS>")
    _roll(cli, B, folder, "2026-09-01")
    assert _renaud(cli, B) == []
    case = _case_of_renaud(cli)
    assert [c["key"] for c in case["candidates"]] == [f"{A}/eleve:101801"]  # type: ignore[attr-defined]
    _run(cli, "review", "resolve", str(case["number"]), "meme", "--uai", B)
    _plan_and_apply(cli, B, "2026-09-02")
    assert _renaud(cli, B) == [("mrenaud", "active", "4A")]
    assert _renaud(cli, A) == []
