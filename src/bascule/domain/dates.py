"""Days as the exports give them and as people type them: apart from the people's values
(domain/people.py re-exports them), so that every command's start-up reads a date without
making the logins' and the people's classes."""

from __future__ import annotations

from contextlib import suppress
from datetime import date


def parse_french_date(text: str) -> date:
    """DD/MM/YYYY as in Siècle-BEE; raises ValueError for anything else."""
    day, month, year = text.strip().split("/")
    if len(year) != 4:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def parse_shown_date(text: str) -> date:
    """A day someone types, as bascule shows it (« 31/08/2027 ») or in ISO (2027-08-31, a date
    picker's); raises ValueError for anything else."""
    with suppress(ValueError):
        return parse_iso_date(text)
    return parse_french_date(text)


def parse_iso_date(text: str) -> date:
    """YYYY-MM-DD as in STS-Web; raises ValueError for anything else."""
    return date.fromisoformat(text.strip())
