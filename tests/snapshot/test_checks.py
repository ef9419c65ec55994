"""The field checks (snapshot/checks.py) report exactly what their rules say, whatever the text:
the shortcuts that skip a pattern's search (printable, ASCII) never hide a problem; a record's
location is made only for a problem, and is the record's."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.people import clean_name
from bascule.errors import Location
from bascule.exports.records import PersonneRecord
from bascule.snapshot.checks import Checker

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
