"""The applied plans of a school (`bascule history`): id, when, who, counts per action, the
backup taken before, and the undo relations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from bascule.store.schema import applied_plan, login, person


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedPlan:
    id: int
    uai: str
    applied_at: datetime
    actor: str
    purpose: str  # campaign, lifecycle, undo
    counts: dict[str, int]  # action kind -> how many
    backup: str | None  # the id of the store's backup taken just before
    undoes: int | None  # an undo: the apply it undid
    undone_by: int | None = None  # the undo that undid this one, if any
    saved_plan_id: int | None = None  # the plan it executed, as saved


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """Where an apply comes from, for its history row."""

    saved_plan_id: int | None = None
    backup: str | None = None


def record_apply(connection: Connection, *, uai: str, actor: str, now: datetime, purpose: str,
                 counts: dict[str, int], provenance: Provenance,
                 undoes: int | None = None) -> int:
    """In the apply's transaction: its history row; returns its id (the APPLY-ID)."""
    done = connection.execute(insert(applied_plan).values(
        uai=uai, saved_plan_id=provenance.saved_plan_id, applied_at=now, actor=actor,
        purpose=purpose, counts=json.dumps(counts, sort_keys=True), backup=provenance.backup,
        undoes=undoes))
    key = done.inserted_primary_key
    assert key is not None
    return int(key[0])


def applied_plans(engine: Engine, uai: str) -> list[AppliedPlan]:
    """The school's applied plans, newest first."""
    with engine.connect() as connection:
        return plans_of(connection, uai)


def plans_of(connection: Connection, uai: str) -> list[AppliedPlan]:
    rows = list(connection.execute(select(applied_plan).where(applied_plan.c.uai == uai)
                                   .order_by(applied_plan.c.id.desc())))
    undone = {row.undoes: row.id for row in rows if row.undoes is not None}
    return [AppliedPlan(id=row.id, uai=row.uai, applied_at=row.applied_at, actor=row.actor,
                        purpose=row.purpose, counts=json.loads(row.counts), backup=row.backup,
                        undoes=row.undoes, undone_by=undone.get(row.id),
                        saved_plan_id=row.saved_plan_id) for row in rows]


def people_named(connection: Connection, uai: str, keys: set[str]) -> list[str]:
    """« NOM Prénom (login) » of each person, sorted: the login they hold, else their last."""
    found = []
    for row in connection.execute(select(person.c.id, person.c.last_name, person.c.first_name)
                                  .where((person.c.uai == uai) & person.c.key.in_(sorted(keys)))
                                  .order_by(person.c.last_name, person.c.first_name)):
        held = connection.execute(select(login.c.login).where(login.c.person_id == row.id)
                                  .order_by(login.c.freed_at.is_not(None), login.c.namespace.desc(),
                                            login.c.issued_at.desc())).scalar()
        found.append(f"{row.last_name} {row.first_name}" + (f" ({held})" if held else ""))
    return found
