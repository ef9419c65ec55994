"""Identity doubts a newcomer trial found: each is held, with the accounts it could be left
exactly as they are, and the plan says what to do (the review, or Siècle-BEE)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, Files, apply_campaign, edit

AT = "2026-10-01T10:00"


def _ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _plan(cli: Cli) -> dict[str, list[dict[str, object]]]:
    return json.loads(_ok(cli, "plan", "--json", "--at", AT))  # type: ignore[no-any-return]


def _status(cli: Cli) -> dict[str, str]:
    return {row["login"]: row["status"] for row in json.loads(_ok(cli, "accounts", "--json"))}


@pytest.fixture
def applied(home_cli: Cli, files: Files) -> Cli:
    apply_campaign(home_cli, files)
    return home_cli


def test_an_ine_given_to_a_second_pupil_leaves_both_accounts_as_they_are(
        applied: Cli, files: Files) -> None:
    """ÉMERY Timothée (temery) given MARTIN Léa's (1000007) INE: both held; his own account,
    which the table would call another person's (two INEs), is neither disabled nor updated;
    neither record is said to have no account, and the plan sends to Siècle-BEE."""
    edit(files("ElevesSansAdresses.xml")[0], "<ID_NATIONAL>3333333333E</ID_NATIONAL>",
         "<ID_NATIONAL>4444444444F</ID_NATIONAL>")
    _ok(applied, "import", *map(str, files()))
    plan = _plan(applied)
    keys = {"eleve:1000006", "eleve:1000007"}
    assert not [a for a in plan["actions"] if a["person"] in keys]
    # Each record in doubt (not said to have no account), then each account, held.
    assert {(h["person"], h["known"]) for h in plan["held"]} == {
        (key, known) for key in keys for known in (False, True)}
    assert {h["person"]: h["accounts"] for h in plan["held"] if not h["known"]} == {
        "eleve:1000006": ["eleve:1000006", "eleve:1000007"], "eleve:1000007": ["eleve:1000007"]}
    assert all("Siècle-BEE" in str(h["hint"]) and "review" not in str(h["hint"])
               for h in plan["held"])
    text = _ok(applied, "plan", "--at", AT)
    assert "pas encore de compte" not in text and "review list" not in text
    assert "Aucun cas de revue" in _ok(applied, "review", "list")
    _ok(applied, "apply", "--yes", "--at", AT)
    assert _status(applied)["temery"] == "active"


def test_an_ine_changed_by_one_character_on_the_same_record_waits_for_a_decision(
        applied: Cli, files: Files) -> None:
    """The same ELEVE_ID, ELENOET, names and birth date: no second account, no disable."""
    edit(files("ElevesSansAdresses.xml")[0], "<ID_NATIONAL>3333333333E</ID_NATIONAL>",
         "<ID_NATIONAL>3333333334E</ID_NATIONAL>")
    _ok(applied, "import", *map(str, files()))
    plan = _plan(applied)
    assert not [a for a in plan["actions"] if a["person"].startswith("eleve:1000006")]
    (case,) = json.loads(_ok(applied, "review", "list", "--json"))
    (candidate,) = case["candidates"]
    assert (case["person"], candidate["key"], candidate["decision"]) == (
        "eleve:1000006", "eleve:1000006", "probable")
    assert candidate["rule"].startswith("deux INE différents, même ELEVE_ID")


def test_another_person_under_a_responsables_id_is_held_even_if_a_name_matches(
        applied: Cli, files: Files) -> None:
    """MME Hélène MARTIN née GUÉRIN (2000002), mother of Léa, becomes M. Étienne GUÉRIN,
    responsable of Timothée only: the usage name of the new is the birth name of the old,
    but the first name and the children changed; the account waits, unchanged."""
    responsables = files("ResponsablesAvecAdresses.xml")[0]
    edit(responsables, "<NOM_USAGE>MARTIN</NOM_USAGE>\n        <PRENOM>Hélène</PRENOM>\n"
         "        <LC_CIVILITE>MME</LC_CIVILITE>", "<NOM_USAGE>GUÉRIN</NOM_USAGE>\n        "
         "<PRENOM>Étienne</PRENOM>\n        <LC_CIVILITE>M.</LC_CIVILITE>")
    edit(responsables, "<ELEVE_ID>1000001</ELEVE_ID><PERSONNE_ID>2000002</PERSONNE_ID>",
         "<ELEVE_ID>1000006</ELEVE_ID><PERSONNE_ID>2000002</PERSONNE_ID>")
    _ok(applied, "import", *map(str, files()))
    plan = _plan(applied)
    assert not [a for a in plan["actions"] if a["person"] == "responsable:2000002"]
    assert {(h["person"], h["known"]) for h in plan["held"]} == {
        ("responsable:2000002", False), ("responsable:2000002", True)}
    (case,) = json.loads(_ok(applied, "review", "list", "--json"))
    (candidate,) = case["candidates"]
    assert (case["person"], candidate["rule"]) == (
        "responsable:2000002", "même PERSONNE_ID, mais prénom différent")
