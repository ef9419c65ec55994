"""The département's operators (the memo's IT team): their accounts and console sessions.

They are not people of a school: a table of their own (login, display name, the argon2id hash
of a password they chose, active or removed, created and last signed in). In the console an
operator acts as a `Person` of the school they look at, with the one role Role.OPERATEUR and no
row in `person` (`as_person`); the operations find them by the actor name `opérateur:LOGIN`
(`find_actor`), which no school login can be (a school login has no colon). Their sessions
are kept beside the school's, in store/sessions.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bascule.domain.policy import Role
from bascule.errors import UserError
from bascule.store.people import Person, find_person
from bascule.store.schema import operator, operator_session

ACTOR_PREFIX = "opérateur:"  # the journal's actor, and how the operations tell an operator
PROFILE = "operateur"  # the synthetic Person's profile (no school profile has this name)
LOGIN_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,31}")


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorRow:
    operator_id: int
    login: str
    display_name: str
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None


def actor_name(login: str) -> str:
    """How the journal and the operations name an operator: « opérateur:jdupont »."""
    return ACTOR_PREFIX + login


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise UserError(f"Identifiant d'opérateur « {login} » refusé.",
                        hint="De 2 à 32 caractères : lettres minuscules sans accent, chiffres, "
                             "point, tiret ou souligné, en commençant par une lettre "
                             "(par exemple jdupont).")
    return login


def operator_of(found: Row[Any]) -> OperatorRow:
    return OperatorRow(operator_id=found.id, login=found.login,
                       display_name=found.display_name, active=found.active,
                       created_at=found.created_at, last_sign_in_at=found.last_sign_in_at)


def find_operator(connection: Connection, login: str) -> OperatorRow | None:
    found = connection.execute(select(operator).where(operator.c.login == login)).first()
    return operator_of(found) if found is not None else None


def operator_password_hash(connection: Connection, operator_id: int) -> str:
    stored: str = connection.execute(select(operator.c.password_hash).where(
        operator.c.id == operator_id)).scalar_one()
    return stored


def operators(connection: Connection) -> list[OperatorRow]:
    """Every operator, the removed ones too, by login."""
    return [operator_of(found) for found in connection.execute(
        select(operator).order_by(operator.c.login))]


def add_operator(connection: Connection, login: str, display_name: str, password_hash: str,
                 now: datetime) -> OperatorRow:
    """A new operator, or a removed one made active again (new name and password); a French
    UserError when the login is already an active operator's."""
    found = find_operator(connection, check_login(login))
    if found is not None and found.active:
        raise _already_an_operator(login)
    values = {"display_name": display_name, "password_hash": password_hash, "active": True}
    if found is None:
        try:
            connection.execute(insert(operator).values(login=login, created_at=now, **values))
        except IntegrityError as taken:  # another `operator add` of this login committed first
            raise _already_an_operator(login) from taken
    else:
        connection.execute(update(operator).where(operator.c.id == found.operator_id)
                           .values(**values))
    added = find_operator(connection, login)
    assert added is not None
    return added


def _already_an_operator(login: str) -> UserError:
    return UserError(f"L'opérateur « {login} » existe déjà : rien n'a changé.",
                     hint=f"Nouveau mot de passe : bascule operator password {login}")


def active_operator(connection: Connection, login: str) -> OperatorRow:
    found = find_operator(connection, login)
    if found is None or not found.active:
        raise UserError(f"Aucun opérateur actif n'a l'identifiant « {login} ».",
                        hint="bascule operator list les montre.")
    return found


def set_operator_password(connection: Connection, found: OperatorRow, password_hash: str) -> None:
    """The new hash (the caller ends the operator's sessions: store/sessions.py)."""
    connection.execute(update(operator).where(operator.c.id == found.operator_id)
                       .values(password_hash=password_hash))


def deactivate_operator(connection: Connection, found: OperatorRow) -> None:
    """Removed: can no longer sign in (the caller ends their sessions); the row stays, so that
    the journal still names them."""
    connection.execute(update(operator).where(operator.c.id == found.operator_id)
                       .values(active=False))


def record_sign_in(connection: Connection, found: OperatorRow, now: datetime) -> None:
    connection.execute(update(operator).where(operator.c.id == found.operator_id)
                       .values(last_sign_in_at=now))


def as_person(found: OperatorRow) -> Person:
    """The operator as the console's pages and the operations see an actor: the one role
    Role.OPERATEUR (domain/policy.py decides what it may), in no school's `person` table."""
    name = actor_name(found.login)
    return Person(person_id=0, key=name, login=name, profile=PROFILE,
                  label=f"{found.display_name} (opérateur)",
                  status="active" if found.active else "deleted",
                  roles=frozenset({Role.OPERATEUR}), structures=frozenset(),
                  must_change_password=False)


def find_actor(connection: Connection, uai: str, by: str) -> Person:
    """Who acts, by the name the console passes: an active operator (`opérateur:LOGIN`), or a
    person of the school by login (store/people.py find_person)."""
    if by.startswith(ACTOR_PREFIX):
        return as_person(active_operator(connection, by.removeprefix(ACTOR_PREFIX)))
    return find_person(connection, uai, by)


OperatorTables = dict[str, list[dict[str, Any]]]  # table name -> its rows


def operator_tables(connection: Connection) -> OperatorTables:
    """The operators and their sessions as they are, to outlive a restore (`put_back`)."""
    return {table.name: [dict(row._mapping) for row in connection.execute(
        select(table).order_by(table.c.id))] for table in (operator, operator_session)}


def put_back(connection: Connection, kept: OperatorTables) -> None:
    """Replace the operators and their sessions by `kept`. A restore puts back a school's
    state, not the département's team: an operator removed since, or a password changed
    since, must not come back with an older copy of the store."""
    connection.execute(delete(operator_session))
    connection.execute(delete(operator))
    for table in (operator, operator_session):
        rows = kept[table.name]
        if rows:
            connection.execute(insert(table), rows)
        if connection.dialect.name == "postgresql":  # the ids were given: move the sequence on
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"))
