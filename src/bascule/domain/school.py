"""Establishments and school years."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Every date and time a school user reads is in metropolitan French time.
SCHOOL_TIMEZONE = ZoneInfo("Europe/Paris")
TYPICAL_COLLEGE_SIZE = 600  # élèves: the synthetic collèges' default size


def local_time(moment: datetime) -> datetime:
    """A stored instant (UTC; naive when the database drops the zone) in school time."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(SCHOOL_TIMEZONE)


_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def describe_moment(moment: datetime, *, clock: bool | None = None) -> str:
    """The one way a date and time is shown to a person: « mardi 01/09/2026 18:00 », in Paris
    time whatever the machine's zone (TZ) and whatever zone the value carries (naive: UTC).
    clock None: the hour only when it is not midnight (a calendar's days); True: always (a
    journal's or a report's moment)."""
    local = local_time(moment)
    shown = clock if clock is not None else (local.hour, local.minute) != (0, 0)
    return f"{_DAYS[local.weekday()]} {local:%d/%m/%Y}" + (f" {local:%H:%M}" if shown else "")

# The national key of a UAI: the 7 digits modulo 23, in an alphabet without I, O and Q.
_UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_SHAPE = re.compile(r"^\d{7}[A-Z]$")


def uai_key(digits: str) -> str:
    return _UAI_KEYS[int(digits) % 23]


def is_well_formed_uai(uai: str) -> bool:
    """Seven digits and a letter, like 0860999U."""
    return bool(_UAI_SHAPE.match(uai))


def has_right_key(uai: str) -> bool:
    """The letter of a well-formed UAI is its national key (a typo in the digits breaks it)."""
    return uai_key(uai[:7]) == uai[7]


def normalise_uai(text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True, slots=True, order=True)
class SchoolYear:
    """A school year, named by its start year as in the exports (2026 = 2026-2027)."""

    start: int

    def __str__(self) -> str:
        return f"{self.start}-{self.start + 1}"

    @property
    def last_day(self) -> date:
        """31 August of its second calendar year: the day a plan's year, and a hold by default,
        end (the exports of the next year may already come from 1 August)."""
        return date(self.start + 1, 8, 31)

    @property
    def next(self) -> SchoolYear:
        return SchoolYear(self.start + 1)

    @classmethod
    def containing(cls, day: date) -> SchoolYear:
        """The school year of a day; it switches on 1 August (the summer belongs to the next)."""
        return cls(day.year if day.month >= 8 else day.year - 1)


def elenoet_issued_here(uai: str, elenoet: str, id_eleve_etab: str | None) -> bool:
    """Whether an élève's ELENOET is this school's numbering.

    Siècle's ID_ELEVE_ETAB holds the ELENOET followed by the issuing school's UAI without its
    first digit and its letter (SE3's reading: ELENOET 2643 of 0861234X -> "2643861234…"). An
    arriving élève can carry his former school's ELENOET for a while. Without ID_ELEVE_ETAB,
    nothing says otherwise: True.
    """
    if not id_eleve_etab:
        return True
    return f"{elenoet.lstrip('0')}{uai[1:-1]}" in id_eleve_etab.lstrip("0")
