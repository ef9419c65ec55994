"""bascule review: a held person, the evidence, the decisions, remembered and reversible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli

UAI = "0861234X"
_ELEVE = """<ELEVE ELEVE_ID="{eleve_id}"><NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>
<PRENOM>{first}</PRENOM><DATE_NAISS>14/03/2013</DATE_NAISS><CODE_SEXE>2</CODE_SEXE>
<CODE_MEF>10010012110</CODE_MEF></ELEVE>"""


def _export(folder: Path, year: int, eleve_id: str, first: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "ElevesSansAdresses.xml").write_bytes(f"""<?xml version="1.0" encoding="ISO-8859-15"?>
<BEE_ELEVES VERSION="3.0"><PARAMETRES><UAJ>{UAI}</UAJ><ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE>
<DATE_EXPORT>15/09/{year}</DATE_EXPORT><HORODATAGE>15/09/{year} 08:00:00</HORODATAGE>
</PARAMETRES><DONNEES><ELEVES>{_ELEVE.format(eleve_id=eleve_id, first=first)}</ELEVES>
<STRUCTURES><STRUCTURES_ELEVE ELEVE_ID="{eleve_id}"><STRUCTURE><CODE_STRUCTURE>6A
</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>
</STRUCTURES></DONNEES></BEE_ELEVES>""".replace("6A\n", "6A").encode("iso-8859-15"))
    return folder


def _ok(cli: Cli, *args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def held(cli: Cli, tmp_path: Path) -> Cli:
    """Lena-Marie MARTIN in 2025; in 2026 a record with a new ELEVE_ID, "Lena Marie", no INE."""
    _ok(cli, "init", "--uai", UAI, "--name", "Collège des essais")
    _ok(cli, "import", _export(tmp_path / "2025", 2025, "145778", "Lena-Marie"))
    _ok(cli, "plan", "--at", "2025-09-16T08:00")
    _ok(cli, "apply", "--yes", "--at", "2025-09-16T08:10")
    _ok(cli, "import", _export(tmp_path / "2026", 2026, "151999", "Lena Marie"))
    return cli


def _plan(cli: Cli) -> dict[str, object]:
    return json.loads(_ok(cli, "plan", "--json", "--at", "2026-09-16T08:00"))  # type: ignore


def _accounts(cli: Cli) -> list[tuple[object, ...]]:
    return [(a["login"], a["first_name"], a["status"], "151999" in json.dumps(a["source_ids"]))
            for a in json.loads(_ok(cli, "accounts", "--json"))]


def test_a_probable_match_is_held_never_a_silent_second_account(held: Cli) -> None:
    plan = _plan(held)
    assert [a for a in plan["actions"] if a["kind"] != "add"] == []  # type: ignore[union-attr]
    assert {h["person"] for h in plan["held"]} == {"eleve:151999", "eleve:145778"}  # type: ignore
    (case,) = json.loads(_ok(held, "review", "list", "--json"))
    assert (case["person"], case["status"], case["decision"]) == ("eleve:151999", "open", None)
    (candidate,) = case["candidates"]
    assert (candidate["login"], candidate["decision"]) == ("lmartin", "probable")
    names = [e for e in candidate["evidence"] if e["attribute"] == "names"]
    assert names == [{"attribute": "names", "agreement": "folded", "newcomer": "MARTIN Lena Marie",
                      "known": "MARTIN Lena-Marie"}]
    assert set(case["choices"]) == {"same", "different", "not_yet"}
    shown = _ok(held, "review", "show", "1")
    assert "Compte possible : MARTIN Lena-Marie (lmartin)" in shown
    assert "nom et prénom : MARTIN Lena Marie / MARTIN Lena-Marie · proche" in shown


def test_same_person_lets_the_account_follow_and_its_reversal_puts_everything_back(
        held: Cli) -> None:
    before = _accounts(held)
    _plan(held)  # the case is recorded by the plan that holds the person
    assert "même personne" in _ok(held, "review", "resolve", "1", "meme",
                                  "--at", "2026-09-16T08:01")
    _plan(held)
    _ok(held, "apply", "--yes", "--at", "2026-09-16T08:10")
    assert _accounts(held) == [("lmartin", "Lena Marie", "active", True)]
    assert _plan(held)["actions"] == []  # the decision is remembered
    _ok(held, "review", "reverse", "1", "--at", "2026-09-16T09:00")
    assert _accounts(held) == before
    assert {h["person"] for h in _plan(held)["held"]} == {  # type: ignore[union-attr]
        "eleve:151999", "eleve:145778"}
    journal = json.loads(_ok(held, "audit", "--json"))
    decisions = [(e["action"], e["actor"][:4]) for e in journal if e["action"].startswith("revue")]
    assert decisions == [("revue annulée", "cli:"), ("revue", "cli:")]  # newest first


def test_different_person_gets_a_new_account_and_not_yet_changes_nothing(held: Cli) -> None:
    _plan(held)
    _ok(held, "review", "resolve", "eleve:151999", "pas-encore")
    assert [a for a in _plan(held)["actions"] if a["kind"] == "create"] == []  # type: ignore
    _ok(held, "review", "resolve", "eleve:151999", "different")
    creates = [(a["login"], a["label"]) for a in _plan(held)["actions"]  # type: ignore
               if a["kind"] == "create"]
    assert creates == [("lmartin2", "MARTIN Lena Marie")]


def test_only_the_direction_and_operators_decide(held: Cli) -> None:
    _plan(held)
    result = held("review", "resolve", "1", "meme", "--by", "lmartin")
    assert result.exit_code == 1
    assert "Décision refusée" in result.stderr
    assert json.loads(_ok(held, "review", "list", "--json"))[0]["decision"] is None
