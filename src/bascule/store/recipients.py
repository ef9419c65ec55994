"""Who the mails go to, from the store: a school's direction, and the former staff whose
disabled accounts the September deletions will remove (plan/lifecycle.py deletes the accounts
disabled before the deletion date)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from bascule.domain.logins import LoginKind
from bascule.store.schema import account, login, person

_NOT_STAFF = ("eleve", "responsable")


def direction_addresses(engine: Engine, uai: str) -> tuple[str, ...]:
    """The e-mail addresses (STS-Web MEL) of the school's direction with an active account."""
    query = (select(person.c.email).join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & (person.c.profile == "direction")
                    & (account.c.status == "active") & person.c.email.is_not(None))
             .order_by(person.c.email))
    with engine.connect() as connection:
        return tuple(dict.fromkeys(row.email for row in connection.execute(query)))


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartingStaff:
    key: str
    first_name: str
    last_name: str
    email: str
    logins: tuple[str, ...]  # the network login (pnom) first


def staff_awaiting_deletion(engine: Engine, uai: str, deletion: datetime) -> list[DepartingStaff]:
    """Staff (not élèves nor responsables) of the school with an e-mail address whose account
    was disabled before `deletion`, hence deleted then; by key."""
    query = (select(person.c.id, person.c.key, person.c.first_name, person.c.last_name,
                    person.c.email)
             .join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & person.c.profile.not_in(_NOT_STAFF)
                    & (account.c.status == "disabled") & (account.c.status_since < deletion)
                    & person.c.email.is_not(None))
             .order_by(person.c.key))
    with engine.connect() as connection:
        rows = list(connection.execute(query))
        logins = _held_logins(connection, [row.id for row in rows])
    return [DepartingStaff(key=row.key, first_name=row.first_name, last_name=row.last_name,
                           email=row.email, logins=tuple(logins.get(row.id, ())))
            for row in rows]


def _held_logins(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    query = (select(login.c.person_id, login.c.namespace, login.c.login)
             .where(login.c.person_id.in_(ids) & login.c.freed_at.is_(None))
             .order_by(login.c.namespace != LoginKind.NETWORK.value, login.c.login))
    for row in connection.execute(query):
        found[row.person_id].append(row.login)
    return found
