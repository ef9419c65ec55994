"""The field checks (snapshot/checks.py) report exactly what their rules say, whatever the text:
the shortcuts that skip a pattern's search (printable, ASCII) never hide a problem; a record's
location is made only for a problem, and is the record's."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.people import GuardianLevel, clean_name
from bascule.errors import Location
from bascule.exports.records import (
    ExportFile,
    ExportKind,
    GuardianLinkRecord,
    Header,
    PersonneRecord,
)
from bascule.snapshot.checks import Checker
from bascule.snapshot.responsables import build_responsables

_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f]")
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u20ac]")
# Names as exports hold them, with what the checks look for mixed in.
TEXTS = st.text(st.sampled_from("aéÃÂ©\u0089\u0007\t\u00a0\u200b -Zz'ß")) | st.text()


def _expected(value: str, required: bool) -> list[str]:
    """The problems' codes by the rules as the docstring states them."""
    raw = value.strip()
    text = clean_name(raw)
    codes = ["nom-nettoye"] if text != raw else []
    if required and not text:
        codes.append("nom-vide")
    elif _CONTROL.search(text):
        codes.append("caractere-controle")
    elif _MOJIBAKE.search(text):
        codes.append("encodage-mojibake")
    return codes


@given(value=TEXTS, required=st.booleans())
def test_a_name_is_checked_by_its_rules(value: str, required: bool) -> None:
    checker = Checker()
    where = Location(file="a.xml", line=3, record="élève 1")
    checker.name(value, where, "PRENOM", "corrigez", required=required)
    assert [problem.code for problem in checker.problems] == _expected(value, required)
    assert all(problem.location == where.at(field="PRENOM") for problem in checker.problems)


@given(value=TEXTS)
def test_a_code_is_checked_by_its_rules(value: str) -> None:
    checker = Checker()
    checker.code(value, Location(file="a.xml"), "CODE", "corrigez")
    text = value.strip()
    expected = ["code-vide"] if not text else ["caractere-controle"] if _CONTROL.search(
        text) else []
    assert [problem.code for problem in checker.problems] == expected


def test_a_record_stands_for_its_location() -> None:
    record = PersonneRecord(file="r.xml", line=12, personne_id="7", nom_de_famille=None,
                            nom_usage=None, nom=None, prenom="\u0007", civilite=None, mel=None)
    checker = Checker()
    checker.name(record.prenom, record, "PRENOM", "corrigez", required=True)
    (problem,) = checker.problems
    assert problem.location == record.location.at(field="PRENOM")


@pytest.mark.parametrize(("niveau", "resp_legal", "eleve", "level", "codes"), [
    ("1", None, "E1", GuardianLevel.LEGAL, []),
    ("2", "1", "E1", GuardianLevel.EN_CHARGE, []),
    ("3", None, "E1", GuardianLevel.CONTACT, []),
    (" 2 ", None, "E1", GuardianLevel.EN_CHARGE, []),
    ("02", None, "E1", GuardianLevel.EN_CHARGE, []),
    (None, "2", "E1", GuardianLevel.LEGAL, []),
    ("", "1", "E1", GuardianLevel.LEGAL, []),
    ("  ", "0", "E1", GuardianLevel.CONTACT, []),
    (None, None, "E1", GuardianLevel.CONTACT, []),
    ("4", None, "E1", None, ["niveau-invalide"]),
    ("x", "1", "E1", None, ["niveau-invalide"]),
    ("1", None, "E9", None, ["ref-inconnue"]),
])
def test_a_link_s_level_and_references(niveau: str | None, resp_legal: str | None, eleve: str,
                                       level: GuardianLevel | None, codes: list[str]) -> None:
    """The usual link is made without a scope; any other goes through every check."""
    personne = PersonneRecord(file="r.xml", line=2, personne_id="P1", nom_de_famille="MARTIN",
                              nom_usage=None, nom=None, prenom="Léa", civilite=None, mel=None)
    link = GuardianLinkRecord(file="r.xml", line=5, eleve_id=eleve, personne_id="P1",
                              niveau=niveau, resp_legal=resp_legal, code_parente="20")
    export = ExportFile(name="r.xml", sha256="", kind=ExportKind.RESPONSABLES,
                        header=Header(uai=None, school_year=None, export_date=None,
                                      location=Location(file="r.xml")),
                        personnes=[personne], guardian_links=[link])
    checker = Checker()
    _responsables, links = build_responsables(export, {"E1"}, checker)
    assert [problem.code for problem in checker.problems] == codes
    assert [g.level for g in links] == ([level] if level is not None else [])
    assert all(g.parente == "20" and g.personne_id == "P1" for g in links)
