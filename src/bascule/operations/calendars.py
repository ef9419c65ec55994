"""Calendar files: the rules of domain/calendar.py, then the file shipped for the year, then the
home's file, then the school's: each may replace any date, in Europe/Paris time."""

from __future__ import annotations

import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path

from bascule.domain.calendar import (
    Calendar,
    Milestone,
    Span,
    derive_calendar,
    rentree_year_of,
    with_overrides,
)
from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.errors import Location, UserError
from bascule.settings import Settings

_HINT = ("Chaque étape s'écrit [nom] puis start = 2026-08-24T00:00:00 et, pour une période, "
         "end = …, en heure de Paris.")


def calendar_files(home: Path, year: int, uai: str | None) -> list[Path]:
    names = [f"calendrier-{year}.toml"] + ([f"calendrier-{year}-{uai}.toml"] if uai else [])
    return [home / name for name in names if (home / name).is_file()]


def shipped_calendar(year: int) -> bool:
    return (resources.files("bascule") / "data" / f"calendrier-{year}.toml").is_file()


def load_calendar(home: Path, year: int, uai: str | None = None) -> Calendar:
    calendar = derive_calendar(year)
    shipped = resources.files("bascule") / "data" / f"calendrier-{year}.toml"
    if shipped.is_file():
        calendar = with_overrides(calendar, _spans(shipped.read_text(encoding="utf-8"),
                                                   f"calendrier-{year}.toml (fourni)"))
    for path in calendar_files(home, year, uai):
        calendar = with_overrides(calendar, _spans(path.read_text(encoding="utf-8"), str(path)))
    return calendar


def calendars_at(home: Path, now: datetime, uai: str | None = None) -> tuple[Calendar, Calendar]:
    """The calendar of the rentrée `now` belongs to, and the following rentrée's (what comes
    next once this one's steps are past)."""
    year = rentree_year_of(now)
    return load_calendar(home, year, uai), load_calendar(home, year + 1, uai)


def next_deletions(home: Path, uai: str, after: datetime) -> datetime | None:
    """The calendar's first September deletions after `after` (its rentrée's, or the next)."""
    year = rentree_year_of(after)
    dates = [load_calendar(home, y, uai).start(Milestone.DELETIONS) for y in (year, year + 1)]
    return min((d for d in dates if d is not None and d > after), default=None)


def undo_deadline_at(settings: Settings, uai: str, applied_at: datetime) -> datetime | None:
    """Until when an apply made at `applied_at` may be undone: its grace period
    (`[undo] grace_days`), or the calendar's next September deletions after it."""
    if settings.undo_grace is not None:
        return applied_at + settings.undo_grace
    return next_deletions(settings.home, uai, applied_at)


def _spans(text: str, name: str) -> dict[Milestone, Span]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{name} est illisible : {exc}", hint=_HINT,
                        location=Location(file=name)) from exc
    spans = {}
    for key, table in document.items():
        if key == "rentree_year":
            continue
        try:
            milestone = Milestone[key.upper()]
        except KeyError:
            raise UserError(f"{name} : étape « {key} » inconnue.",
                            hint="Étapes possibles : " + ", ".join(m.name.lower()
                                                                   for m in Milestone),
                            location=Location(file=name, field=key)) from None
        spans[milestone] = Span(_moment(table, "start", name, key),
                                _moment(table, "end", name, key) if "end" in table else None)
    return spans


def _moment(table: object, field: str, name: str, key: str) -> datetime:
    value = table.get(field) if isinstance(table, dict) else None
    if not isinstance(value, datetime):
        raise UserError(f"{name} : [{key}] {field} doit être une date et heure.", hint=_HINT,
                        location=Location(file=name, field=f"{key}.{field}"))
    return value if value.tzinfo else value.replace(tzinfo=SCHOOL_TIMEZONE)
