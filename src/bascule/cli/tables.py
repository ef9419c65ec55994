"""The console's tables: nothing in a cell is ever cut, no title wrapped inside its table.

Rich's default cuts a word wider than its column with « … »: on an 80-column terminal a login,
a date or a backup's name came out cut, and a cut login names another person. Here a long word
folds onto the next line instead. And a rich title wraps to its table's width (« Comptes, par
profil et par action (« » over two lines above a narrow table): here it is a line of its own,
as wide as the terminal."""

from __future__ import annotations

from typing import Any

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
        yield from super().__rich_console__(console, options)
