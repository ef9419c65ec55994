"""Every CSV bascule writes, through one writer, and the rule that keeps a spreadsheet from
running a name as a formula.

Names and codes come from the exports as typed by someone: a pupil named `=HYPERLINK(…)` is a
live formula once a CSV is opened in Excel or LibreOffice (OWASP: "CSV injection"). A file
written for people (`csv_for_people`) puts an apostrophe before any cell starting with `=`,
`+`, `-`, `@`, a tab, a carriage return or an apostrophe: both spreadsheets show the text as
written and hide the apostrophe (a program reading such a file drops one leading apostrophe:
`original_cell`). A file written for another program (`csv_for_program`: Eléa/Moodle's upload)
keeps every value as it is: that program reads cells as text and would keep the apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[str]


def neutralised(cell: str) -> str:
    """The cell as a spreadsheet must show it: behind an apostrophe when it would be read as a
    formula, or when it starts with an apostrophe itself (which a spreadsheet would hide), so
    that `original_cell` gives every value back exactly; unchanged otherwise."""
    return "'" + cell if cell.startswith(_SHOWN_AS_TEXT) else cell


_SHOWN_AS_TEXT = (*FORMULA_STARTS, "'")  # made once: `neutralised` runs for every cell


def original_cell(shown: str) -> str:
    """The value behind a cell of a CSV for people, for a program that reads one."""
    return shown.removeprefix("'")


def csv_for_people(header: Row, rows: Iterable[Row], *, delimiter: str = ";",
                   line_end: str = "\n") -> str:
    """A CSV for a spreadsheet (";"-separated, as French Excel expects): every cell
    neutralised."""
    return _write(header, _neutralised_rows(list(rows)), delimiter=delimiter,
                  line_end=line_end)


def _neutralised_rows(rows: list[Row]) -> Iterable[Row]:
    """`neutralised` of every cell, column by column: a column none of whose cells needs it
    (nearly all of them) is found so by one search in C and kept as it is (the CSV of a first
    rollover's passwords has some 100,000 cells)."""
    try:
        columns: list[Sequence[str]] = list(zip(*rows, strict=True))
    except ValueError:  # rows of different lengths: cell by cell
        return [[neutralised(cell) for cell in row] for row in rows]
    if not columns:  # no rows, or rows without cells: nothing to neutralise
        return rows
    for index, column in enumerate(columns):
        if column[0].startswith(_SHOWN_AS_TEXT) or _CELL_SHOWN_AS_TEXT.search(
                _JOINER.join(column)):
            columns[index] = [neutralised(cell) for cell in column]
    return zip(*columns, strict=True)


# Every cell but the first starts after the joiner: a column with no match has no cell to
# neutralise (a cell holding the joiner can only add a false match, which costs a loop). The
# pattern starts with a literal: the search skips to each joiner in C.
_JOINER = "\x00"
_CELL_SHOWN_AS_TEXT = re.compile(f"{_JOINER}[{re.escape(''.join(_SHOWN_AS_TEXT))}]")


def csv_for_program(header: Row, rows: Iterable[Row], *, delimiter: str = ",",
                    line_end: str = "\n") -> str:
    """A CSV for another program, which reads each cell as text: values kept exactly."""
    return _write(header, rows, delimiter=delimiter, line_end=line_end)


def _write(header: Row, rows: Iterable[Row], *, delimiter: str, line_end: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
