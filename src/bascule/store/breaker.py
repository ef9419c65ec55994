"""The deletion breaker's reference, kept in step with each apply (plan/safety.py reads it)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from bascule.plan.model import AccountStatus, Plan
from bascule.store.schema import account, breaker_mark, person
from bascule.store.state import departure_marks


def active_by_profile(connection: Connection, uai: str) -> dict[str, int]:
    rows = connection.execute(
        select(person.c.profile, func.count()).join(account, account.c.person_id == person.c.id)
        .where((person.c.uai == uai) & (account.c.status == AccountStatus.ACTIVE.value))
        .group_by(person.c.profile))
    return {profile: count for profile, count in rows}


def update_departure_marks(connection: Connection, plan: Plan, *, confirmed: bool) -> None:
    """After an apply, in its transaction: the reference of the plan's school year becomes the
    active accounts now on the year's first apply or a confirmed mass departure, else the
    higher of the two, so that departures add up from one apply to the next."""
    year = plan.school_year.start
    marks = departure_marks(connection, plan.uai, year)
    active = active_by_profile(connection, plan.uai)
    reset = confirmed or not marks
    connection.execute(delete(breaker_mark).where(
        (breaker_mark.c.uai == plan.uai) & (breaker_mark.c.school_year == year)))
    rows = [{"uai": plan.uai, "school_year": year, "profile": profile,
             "active": active.get(profile, 0) if reset
             else max(marks.get(profile, 0), active.get(profile, 0))}
            for profile in sorted(set(active) | set(marks))]
    if rows:
        connection.execute(insert(breaker_mark), rows)
