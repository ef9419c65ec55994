"""Holds put on a person by hand: kept, listed, removed (the row stays, with who removed it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, insert, select, update

from bascule.errors import UserError
from bascule.plan.model import HoldOrigin, PersonHold
from bascule.store.changes import removed_fact_subjects
from bascule.store.schema import fact, person_hold


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredHold:
    number: int  # the row's id: what `hold remove` may be given
    hold: PersonHold
    created_at: datetime


def person_holds(connection: Connection, uai: str) -> tuple[PersonHold, ...]:
    """Every hold not removed, running or ended (the plan keeps those running on its day)."""
    return tuple(stored.hold for stored in stored_holds(connection, uai))


def guardians_of(connection: Connection, uai: str, keys: frozenset[str]) -> frozenset[str]:
    """The responsables ever linked to one of these élèves here: by a link the store holds (of
    any school year), or by one an apply removed (store/changes.py). The responsables of a
    held élève keep their accounts as the élève does; one too many kept is the safe side."""
    if not keys:
        return frozenset()
    held = select(fact.c.subject).where(
        (fact.c.uai == uai) & (fact.c.kind == "guardian") & fact.c.target.in_(sorted(keys)))
    return frozenset(connection.execute(held.distinct()).scalars()) | removed_fact_subjects(
        connection, uai, "guardian", keys)


def stored_holds(connection: Connection, uai: str) -> list[StoredHold]:
    rows = connection.execute(select(person_hold).where(
        (person_hold.c.uai == uai) & person_hold.c.removed_at.is_(None))
        .order_by(person_hold.c.until, person_hold.c.id))
    return [StoredHold(number=row.id, created_at=row.created_at, hold=PersonHold(
        key=row.person, label=row.label, reason=row.reason, until=row.until,
        by=row.created_by, origin=HoldOrigin(row.origin))) for row in rows]


def add_hold(connection: Connection, uai: str, hold: PersonHold, *, now: datetime,
             today: date) -> int:
    """A new hold; refused while the person already has one running `today`."""
    for stored in stored_holds(connection, uai):
        if stored.hold.key == hold.key and stored.hold.active_on(today):
            raise UserError(f"{hold.label} est déjà retenu(e) jusqu'au "
                            f"{stored.hold.until:%d/%m/%Y} ({stored.hold.reason}).",
                            hint=f"Levez d'abord cette retenue : bascule hold remove "
                                 f"{stored.number}",
                            console_hint=f"Levez d'abord cette retenue (n° {stored.number}, "
                                         "page Retenues).")
    inserted = connection.execute(insert(person_hold).values(
        uai=uai, person=hold.key, label=hold.label, reason=hold.reason, until=hold.until,
        origin=hold.origin.value, created_by=hold.by, created_at=now)).inserted_primary_key
    assert inserted is not None  # an autoincrement id
    return int(inserted[0])


def remove_hold(connection: Connection, uai: str, wanted: str, by: str,
                now: datetime) -> StoredHold:
    """The hold of this number, or of this person key; a French error when there is none."""
    for stored in stored_holds(connection, uai):
        if wanted in (str(stored.number), stored.hold.key):
            connection.execute(update(person_hold).where(person_hold.c.id == stored.number)
                               .values(removed_by=by, removed_at=now))
            return stored
    raise UserError(f"Aucune retenue « {wanted} » dans {uai}.",
                    hint="Les retenues et leurs numéros : bascule hold list",
                    console_hint="Les retenues et leurs numéros sont sur la page Retenues.")


def holds_ending_after(connection: Connection, uai: str, day: date) -> bool:
    """Some hold not removed runs past `day`: a plan must be computed, not assumed empty."""
    return connection.execute(select(person_hold.c.id).where(
        (person_hold.c.uai == uai) & person_hold.c.removed_at.is_(None)
        & (person_hold.c.until >= day)).limit(1)).first() is not None
