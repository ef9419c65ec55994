"""The campaign calendar of a rentrée: when imports stop and resume, when the ENT is closed, when
spaces are cleaned and former accounts deleted. Pure: dates in, answers out.

The memo gives the 2026 dates; the rules below reproduce them and derive any other year
(a school or a département may still override any date in a calendar file):
- imports towards the directories stop on the first Friday of July;
- the rentrée is the first weekday of September;
- the ENT resumes on the Monday of the week before the rentrée week, the pedagogical server on
  the Friday of that week; élèves keep ENT access until the Sunday before;
- the ENT is closed to élèves and responsables from its resumption to the rentrée day, 18:00;
- class and common spaces are cleaned mid-July (the week of 15 July) or at the end of August
  (the ENT resumption week); staff room and Mediaprof in the last week of the school year;
- verification starts in the second week of September; former accounts are deleted from the
  Monday after (the memo says "in September");
- GAR/TNE licences run until 15 August.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import Enum

from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment


class Milestone(Enum):
    """Every dated step of the memo, in the order of the summer."""

    STAFF_SPACES_CLEANUP = "nettoyage Salle_des_profs et Mediaprof (par l'établissement)"
    IMPORTS_SUSPENDED = "imports vers les annuaires suspendus"
    MOODLECOL_READ_ONLY = "Moodlecol en lecture seule"
    CLASS_SPACES_CLEANUP_JULY = "nettoyage des espaces classes et du commun (mi-juillet)"
    LICENCES_END = "licences GAR/TNE de l'année passée expirées (valables la veille)"
    ENT_ELEVES_ACCESS_END = "fin de l'accès des élèves à l'ENT"
    ENT_RESUMES = "reprise des imports vers l'ENT"
    ENT_CLOSURE = "ENT fermé aux élèves et aux responsables (Fermeture rentrée)"
    CLASS_SPACES_CLEANUP_AUGUST = "nettoyage des espaces classes et du commun (fin août)"
    PEDAGOGICAL_SERVER_RESUMES = "reprise des imports vers le serveur pédagogique"
    RENTREE = "rentrée"
    VERIFICATION = "vérification des attributions et des groupes"
    DELETIONS = "suppression des comptes des anciens élèves et personnels"
    MOODLECOL_STOPPED = "arrêt de Moodlecol"


@dataclass(frozen=True, slots=True)
class Span:
    """From `start` on; until `end` (excluded) when there is one."""

    start: datetime
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calendar:
    """The summer of one rentrée: `rentree_year` 2026 is the bascule towards 2026-2027."""

    rentree_year: int
    spans: dict[Milestone, Span]

    def span(self, milestone: Milestone) -> Span | None:
        return self.spans.get(milestone)

    def start(self, milestone: Milestone) -> datetime | None:
        found = self.spans.get(milestone)
        return found.start if found else None

    def active(self, moment: datetime) -> list[Milestone]:
        return [m for m, span in self.spans.items() if span.end is not None
                and span.contains(moment)]


def _at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SCHOOL_TIMEZONE)


def _first_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def rentree_day(year: int) -> date:
    """The first weekday of September."""
    day = date(year, 9, 1)
    return day if day.weekday() < 5 else _first_weekday(day, 0)


def derive_calendar(year: int) -> Calendar:
    """The calendar of the rentrée `year`, by the rules of the memo."""
    rentree = rentree_day(year)
    rentree_monday = rentree - timedelta(days=rentree.weekday())
    ent_resumes = rentree_monday - timedelta(days=7)
    suspended = _first_weekday(date(year, 7, 1), 4)
    mid_july = date(year, 7, 15) - timedelta(days=date(year, 7, 15).weekday())
    verification = rentree_monday + timedelta(days=7)
    spans = {
        Milestone.STAFF_SPACES_CLEANUP: Span(_at(suspended - timedelta(days=4)),
                                             _at(suspended, 18)),
        Milestone.IMPORTS_SUSPENDED: Span(_at(suspended), _at(ent_resumes)),
        Milestone.CLASS_SPACES_CLEANUP_JULY: Span(_at(mid_july), _at(mid_july, 0)
                                                  + timedelta(days=5)),
        Milestone.LICENCES_END: Span(_at(date(year, 8, 16))),
        Milestone.ENT_ELEVES_ACCESS_END: Span(_at(ent_resumes)),
        Milestone.ENT_RESUMES: Span(_at(ent_resumes)),
        Milestone.ENT_CLOSURE: Span(_at(ent_resumes), _at(rentree, 18)),
        Milestone.CLASS_SPACES_CLEANUP_AUGUST: Span(_at(ent_resumes),
                                                    _at(ent_resumes) + timedelta(days=5)),
        Milestone.PEDAGOGICAL_SERVER_RESUMES: Span(_at(ent_resumes + timedelta(days=4))),
        Milestone.RENTREE: Span(_at(rentree)),
        Milestone.VERIFICATION: Span(_at(verification)),
        Milestone.DELETIONS: Span(_at(verification + timedelta(days=7))),
    }
    return Calendar(rentree_year=year, spans=dict(sorted(spans.items(),
                                                         key=lambda item: item[1].start)))


def with_overrides(calendar: Calendar, spans: dict[Milestone, Span]) -> Calendar:
    merged = {**calendar.spans, **spans}
    return Calendar(rentree_year=calendar.rentree_year,
                    spans=dict(sorted(merged.items(), key=lambda item: item[1].start)))


def next_step(calendars: Iterable[Calendar], moment: datetime) -> tuple[Milestone, Span] | None:
    """The first step starting after `moment` in these calendars (this rentrée's, then the
    next one's: after the autumn's last step, the coming summer's first)."""
    later = [(span.start, milestone, span) for calendar in calendars
             for milestone, span in calendar.spans.items() if span.start > moment]
    if not later:
        return None
    _start, milestone, span = min(later, key=lambda item: item[0])
    return milestone, span


def phase_text(calendar: Calendar, following: Calendar, moment: datetime) -> str:
    """Where the campaign stands, never blank: the steps under way, or the last one passed and
    what comes next (from the following rentrée's calendar when this one is over). The CLI's
    calendar, the console's dashboard and Calendrier say it the same way."""
    active = calendar.active(moment)
    if active:
        return " ; ".join(m.value for m in active)
    passed = [(m, s) for m, s in calendar.spans.items() if s.start <= moment]
    last = (f"dernière étape : {passed[-1][0].value} ({describe_moment(passed[-1][1].start)})"
            if passed else "avant la bascule")
    coming = next_step((calendar, following), moment)
    if coming is None:
        return last
    return f"{last} ; prochaine étape : {coming[0].value}, le {describe_moment(coming[1].start)}"


def rentree_year_of(moment: datetime) -> int:
    """The rentrée whose summer a moment belongs to: from 1 January on, the coming one."""
    return moment.astimezone(SCHOOL_TIMEZONE).year


@dataclass(frozen=True, slots=True, kw_only=True)
class Allowed:
    """What the calendar allows at a moment (the roles decide who, later)."""

    imports_to_ent: bool
    imports_to_pedagogical_server: bool
    ent_open_to_eleves_and_responsables: bool
    deletions: bool
    verification: bool

    def items(self) -> list[tuple[str, bool]]:
        return [(field.name, getattr(self, field.name)) for field in fields(self)]

    def labelled(self) -> list[tuple[str, bool]]:
        """In French, for the people who read it (the CLI's calendar, the console)."""
        return [(ALLOWED_LABELS[name], value) for name, value in self.items()]


ALLOWED_LABELS = {
    "imports_to_ent": "Imports vers l'ENT",
    "imports_to_pedagogical_server": "Imports vers le serveur pédagogique",
    "ent_open_to_eleves_and_responsables": "ENT ouvert aux élèves et responsables",
    "deletions": "Suppression des anciens comptes",
    "verification": "Vérification des attributions",
}


def allowed_at(calendar: Calendar, moment: datetime) -> Allowed:
    suspended = calendar.span(Milestone.IMPORTS_SUSPENDED)
    in_suspension = suspended is not None and suspended.start <= moment
    ent_resumes = calendar.start(Milestone.ENT_RESUMES)
    server_resumes = calendar.start(Milestone.PEDAGOGICAL_SERVER_RESUMES)
    closure = calendar.span(Milestone.ENT_CLOSURE)
    deletions = calendar.start(Milestone.DELETIONS)
    verification = calendar.start(Milestone.VERIFICATION)
    return Allowed(
        imports_to_ent=not in_suspension or (ent_resumes is not None and moment >= ent_resumes),
        imports_to_pedagogical_server=not in_suspension or (
            server_resumes is not None and moment >= server_resumes),
        ent_open_to_eleves_and_responsables=not (closure and closure.contains(moment)),
        deletions=deletions is not None and moment >= deletions,
        verification=verification is not None and moment >= verification,
    )
