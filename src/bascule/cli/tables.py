"""The console's tables: nothing in a cell is ever cut.

Rich's default cuts a word wider than its column with « … »: on an 80-column terminal a login,
a date or a backup's name came out cut, and a cut login names another person. Here a long word
folds onto the next line instead, and a title is never narrower than the table it heads."""

from __future__ import annotations

from typing import Any

from rich.table import Column, Table


class SchoolTable(Table):
    """A rich Table whose columns fold long words (overflow « fold ») unless told otherwise,
    whose title is left-justified and sets the table's least width (up to the terminal's)."""

    def __init__(self, *headers: Column | str, title: str | None = None, **options: Any) -> None:
        options.setdefault("title_justify", "left")
        if title is not None:
            options.setdefault("min_width", len(title))
        super().__init__(*headers, title=title, **options)

    def add_column(self, header: Any = "", footer: Any = "", *, overflow: Any = "fold",
                   **options: Any) -> None:
        super().add_column(header, footer, overflow=overflow, **options)

    def add_identifier_column(self, header: str, identifiers: list[str]) -> None:
        """A column of identifiers people copy into another command (logins, backups' names):
        never cut nor folded, as wide as the longest; the other columns fold around it."""
        self.add_column(header, no_wrap=True,
                        min_width=max(len(header), *map(len, identifiers), 1))
