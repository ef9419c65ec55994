"""The console's tables: nothing in a cell is ever cut, no title wrapped inside its table.

Rich's default cuts a word wider than its column with « … »: on an 80-column terminal a login,
a date or a backup's name came out cut, and a cut login names another person. Here a long word
folds onto the next line instead. And a rich title wraps to its table's width (« Comptes, par
profil et par action (« » over two lines above a narrow table): here it is a line of its own,
as wide as the terminal."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Column, Table
from rich.text import Text


class SchoolTable(Table):
    """A rich Table whose columns fold long words (overflow « fold ») unless told otherwise,
    its title (`heading`) printed as a line of its own above it."""

    def __init__(self, *headers: Column | str, title: str | None = None, **options: Any) -> None:
        super().__init__(*headers, **options)
        self.heading = title

    def add_column(self, header: Any = "", footer: Any = "", *, overflow: Any = "fold",
                   **options: Any) -> None:
        super().add_column(header, footer, overflow=overflow, **options)

    def add_identifier_column(self, header: str, identifiers: list[str]) -> None:
        """A column of identifiers people copy into another command (backups' names, apply
        numbers): never cut nor folded, as wide as the longest; the other columns fold."""
        self.add_column(header, no_wrap=True,
                        min_width=max(len(header), *map(len, identifiers), 1))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.heading is not None:
            yield Text(self.heading, style="table.title")
        if self.__rich_measure__(console, options).minimum > options.max_width:
            self._lighten()
        yield from super().__rich_console__(console, options)

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        """Rich narrows the widest columns first, but below their longest word, folding words
        even where another column had room to spare (« responsab / le » beside a half-empty
        name column). Here the widest columns are narrowed first down to their longest word;
        then, if the longest words do not fit, down to the words of nine rows in ten (a rare
        long name folds, « responsable » does not); only then further."""
        ranges = [self._measure_column(console, options, column) for column in self.columns]
        widths = [measured.maximum or 1 for measured in ranges]
        wraps = [column.width is None and not column.no_wrap for column in self.columns]
        if sum(widths) <= options.max_width or not any(wraps):
            return super()._calculate_column_widths(console, options)
        for floors in ([measured.minimum for measured in ranges],
                       [self._common_width(column) for column in self.columns],
                       [1] * len(widths)):
            widths = _capped(widths, floors, wraps, options.max_width)
        return [self._measure_column(console, options.update_width(width), column).maximum
                for width, column in zip(widths, self.columns, strict=True)]

    def _common_width(self, column: Column) -> int:
        """The width, padding included, that holds whole its header's words and the longest
        word of nine cells in ten: a rare long name may fold, « responsable » should not."""
        longest = sorted(_longest_word(cell) for cell in column.cells)
        common = longest[len(longest) * 9 // 10] if longest else 0
        return max(common, _longest_word(column.header)) + self._get_padding_width(column._index)

    def _lighten(self) -> None:
        """Too narrow a terminal for every column's longest word with the borders: the
        borders go (a rule under the headers, one space between columns), which gives a
        7-column table 22 characters back, so that words wrap whole instead of folding
        (« responsab / le » in 80 columns)."""
        self.box, self.show_edge, self.pad_edge = box.SIMPLE_HEAD, False, False
        self.padding = (0, 0, 0, 0)  # the box draws a space between columns


def _longest_word(cell: Any) -> int:
    return max(map(cell_len, str(cell).split()), default=0)


def _capped(widths: list[int], floors: list[int], wraps: list[bool], room: int) -> list[int]:
    """`widths` with the widest wrapping columns cut to one cap, none below its floor: the
    largest cap whose total fits in `room` (or the floors, when nothing fits)."""
    def under(cap: int) -> list[int]:
        return [max(floor, min(width, cap)) if wrapping else width
                for width, floor, wrapping in zip(widths, floors, wraps, strict=True)]

    cap = max(widths)
    while cap > 1 and sum(under(cap)) > room:
        cap -= 1
    return under(cap)
