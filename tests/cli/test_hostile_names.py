"""Names built to run as spreadsheet formulas: every CSV written for people shows them as text
(a leading apostrophe), the files for another program (Eléa/Moodle) keep them as they are."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bascule.reports.tables import (
    FORMULA_STARTS,
    csv_for_people,
    csv_for_program,
    neutralised,
    original_cell,
)
from tests.conftest import ROLLOVER_AT, UAI, Cli, Files, apply_campaign, edit

HOSTILE = {  # (file, what the fixture holds, the hostile value)
    "eleve": ("ElevesSansAdresses.xml", "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
              '<NOM_DE_FAMILLE>=HYPERLINK("http://x.example";"Notes")</NOM_DE_FAMILLE>'),
    "eleve-prenom": ("ElevesSansAdresses.xml", "<PRENOM>Léa</PRENOM>",
                     "<PRENOM>+Léa</PRENOM>"),
    "responsable": ("ResponsablesAvecAdresses.xml", "<NOM_USAGE>MARTIN</NOM_USAGE>",
                    "<NOM_USAGE>@SUM(1+1)</NOM_USAGE>"),
    "staff": (f"sts_emp_{UAI}_2026.xml", "<NOM_USAGE>LE GOFF</NOM_USAGE>",
              "<NOM_USAGE>-2+3</NOM_USAGE>"),
}


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""),
                           delimiter=delimiter))


def _live_formulas(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def test_every_csv_of_a_campaign_of_hostile_names(home_cli: Cli, files: Files,
                                                  college: Path, tmp_path: Path) -> None:
    for file, fixture, hostile in HOSTILE.values():
        edit(college / file, fixture, hostile)
    apply_campaign(home_cli, files)
    feeds = tmp_path / "feeds"
    assert home_cli("feed", "educonnect", "--out", feeds, "--at", ROLLOVER_AT).exit_code == 0
    assert home_cli("feed", "moodle", "--out", feeds).exit_code == 0
    for_people = {
        "comptes.csv": next((home_cli.home / "credentials").rglob("comptes.csv")).read_text(
            encoding="utf-8"),
        "accounts --csv": home_cli("accounts", "--csv").stdout,
        "educonnect": (feeds / f"educonnect-{UAI}.csv").read_text(encoding="utf-8"),
    }
    for name, text in for_people.items():
        rows = _rows(text, ";")
        assert _live_formulas(rows) == [], name
        cells = {cell for row in rows for cell in row}
        assert any(cell.startswith("'=HYPERLINK(") for cell in cells), name
        assert name == "educonnect" or "'@SUM(1+1)" in cells, name
    moodle = _rows((feeds / f"moodle-utilisateurs-{UAI}.csv").read_text(encoding="utf-8"), ",")
    last_names = {row[2] for row in moodle}
    assert {'=HYPERLINK("http://x.example";"Notes")', "-2+3"} <= last_names
    assert "+Léa" in {row[1] for row in moodle}


@given(st.text(max_size=12))
def test_a_neutralised_cell_never_starts_a_formula_and_keeps_its_text(cell: str) -> None:
    shown = neutralised(cell)
    assert not shown.startswith(FORMULA_STARTS)
    assert original_cell(shown) == cell


def test_one_writer_for_people_and_for_programs() -> None:
    rows = [["=1+1", "Léa"], ["@A1", "-3"]]
    assert csv_for_people(["a", "b"], rows) == "a;b\n'=1+1;Léa\n'@A1;'-3\n"
    assert csv_for_program(["a", "b"], rows) == "a,b\n=1+1,Léa\n@A1,-3\n"


@given(st.lists(st.lists(st.text(alphabet=st.sampled_from("ab=+-@'\t\r\x00;\" é"), max_size=4),
                         min_size=3, max_size=3), max_size=6),
       st.lists(st.text(max_size=3), max_size=4))
def test_the_csv_for_people_neutralises_every_cell_whatever_the_column(
        rows: list[list[str]], ragged: list[str]) -> None:
    """Columns found clean by one search are kept as they are: the same file as every cell
    neutralised one by one (rows of other lengths too)."""
    for table in (rows, [*rows, ragged]):
        one_by_one = [[neutralised(cell) for cell in row] for row in table]
        assert csv_for_people(["a", "b", "c"], table) == csv_for_program(
            ["a", "b", "c"], one_by_one, delimiter=";")
