"""The calendar: the memo's 2026 dates from the rules, other years derived, and what each moment
of the summer allows (time travel through 2026)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bascule.domain.calendar import Milestone, allowed_at, derive_calendar
from bascule.domain.school import SCHOOL_TIMEZONE


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TIMEZONE)


def test_the_rules_give_the_memo_dates_for_2026() -> None:
    calendar = derive_calendar(2026)
    assert calendar.start(Milestone.IMPORTS_SUSPENDED) == paris("2026-07-03T00:00")
    assert calendar.start(Milestone.ENT_RESUMES) == paris("2026-08-24T00:00")
    assert calendar.start(Milestone.PEDAGOGICAL_SERVER_RESUMES) == paris("2026-08-28T00:00")
    closure = calendar.span(Milestone.ENT_CLOSURE)
    assert closure is not None
    assert (closure.start, closure.end) == (paris("2026-08-24T00:00"), paris("2026-09-01T18:00"))
    assert calendar.start(Milestone.ENT_ELEVES_ACCESS_END) == paris("2026-08-24T00:00")
    assert calendar.start(Milestone.LICENCES_END) == paris("2026-08-16T00:00")
    assert calendar.start(Milestone.VERIFICATION) == paris("2026-09-07T00:00")  # 2nd week
    assert calendar.start(Milestone.DELETIONS).month == 9  # type: ignore[union-attr]


def test_the_next_years_are_derived_not_hard_coded() -> None:
    calendar = derive_calendar(2027)
    assert calendar.start(Milestone.IMPORTS_SUSPENDED) == paris("2027-07-02T00:00")  # a Friday
    assert calendar.start(Milestone.RENTREE) == paris("2027-09-01T00:00")  # a Wednesday
    assert calendar.start(Milestone.ENT_RESUMES) == paris("2027-08-23T00:00")
    assert derive_calendar(2029).start(Milestone.RENTREE) == paris("2029-09-03T00:00")  # Sat 1st


@pytest.mark.parametrize(("moment", "ent", "server", "open_ent", "deletions"), [
    ("2026-06-15T10:00", True, True, True, False),     # before the summer
    ("2026-07-03T09:00", False, False, True, False),   # suspended
    ("2026-08-23T23:59", False, False, True, False),   # élèves' last ENT minute
    ("2026-08-24T08:00", True, False, False, False),   # ENT back, closed to élèves
    ("2026-08-28T08:00", True, True, False, False),    # pedagogical server back
    ("2026-09-01T17:59", True, True, False, False),    # rentrée day, still closed
    ("2026-09-01T18:00", True, True, True, False),     # the closure ends
    ("2026-09-14T00:00", True, True, True, True),      # September deletions
])
def test_what_the_summer_allows(moment: str, ent: bool, server: bool, open_ent: bool,
                                deletions: bool) -> None:
    allowed = allowed_at(derive_calendar(2026), paris(moment))
    assert (allowed.imports_to_ent, allowed.imports_to_pedagogical_server,
            allowed.ent_open_to_eleves_and_responsables, allowed.deletions) == (
        ent, server, open_ent, deletions)
