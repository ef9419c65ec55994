"""The console's tables: nothing in a cell is ever cut, no title wrapped inside its table.

Rich's default cuts a word wider than its column with « … »: on an 80-column terminal a login,
a date or a backup's name came out cut, and a cut login names another person. Here a long word
folds onto the next line instead. And a rich title wraps to its table's width (« Comptes, par
profil et par action (« » over two lines above a narrow table): here it is a line of its own,
as wide as the terminal."""

from __future__ import annotations

from typing import Any

from rich import box
from rich._ratio import ratio_reduce
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
        """Rich narrows the widest columns first, down to folding words even where another
        column had room to spare (« responsab / le » beside a half-empty name column). Here
        each column first gives up what it has beyond its longest word; then, if the longest
        words do not fit, beyond the words of nine rows in ten (a rare long name folds,
        « responsable » does not); only then every word-wrapping column, by its width."""
        ranges = [self._measure_column(console, options, column) for column in self.columns]
        widths = [measured.maximum or 1 for measured in ranges]
        excess = sum(widths) - options.max_width
        wraps = [column.width is None and not column.no_wrap for column in self.columns]
        if excess <= 0 or not any(wraps):
            return super()._calculate_column_widths(console, options)
        widths, excess = _give_back(excess, [r.maximum - r.minimum for r in ranges], wraps,
                                    widths)
        widths, excess = _give_back(excess, [width - self._common_width(column) for width, column
                                             in zip(widths, self.columns, strict=True)],
                                    wraps, widths)
        widths, excess = _give_back(excess, [width - 2 for width in widths], wraps, widths)
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


def _give_back(excess: int, room: list[int], wraps: list[bool],
               widths: list[int]) -> tuple[list[int], int]:
    """`widths` less up to `excess` in all, each wrapping column giving at most its `room`, in
    proportion to it; and what is still in excess."""
    shares = [max(0, share) if wrapping else 0
              for share, wrapping in zip(room, wraps, strict=True)]
    given = min(excess, sum(shares))
    if given <= 0:
        return widths, excess
    return ratio_reduce(given, shares, shares, widths), excess - given
