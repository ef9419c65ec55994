"""The console's sessions, kept server-side: the cookie holds only a random id (32 bytes), the
store its SHA-256, so that a session ends the moment it is ended (sign-out, a password changed
or reset, "end every session"), and a cookie replayed afterwards is worth nothing. An apply
that disables or deletes an account ends its sessions (store/apply.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Table, delete, func, insert, select, update

from bascule.store.operators import OperatorRow, operator_of, record_sign_in
from bascule.store.schema import account, operator, operator_session, person, web_session
from bascule.store.tokens import digest

SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
KEPT_DAYS = 90  # ended sessions are kept this long (the last sign-in of each person is read)


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorSessionRow:
    """An operator's session (store/operators.py): not tied to a person of a school."""

    operator: OperatorRow
    uai: str  # the school the operator is looking at
    csrf: str
    opened_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRow:
    uai: str
    person_key: str
    csrf: str
    opened_at: datetime
    previous_opened_at: datetime | None  # this person's sign-in before this one


def open_session(connection: Connection, uai: str, person_id: int, now: datetime, *,
                 previous: datetime | None = None) -> tuple[str, str, datetime | None]:
    """A new session: (the cookie's value, the forms' CSRF token, when this person's previous
    session opened: `previous` when given, else the newest in the store)."""
    _purge(connection, web_session, now)
    if previous is None:
        previous = connection.execute(select(func.max(web_session.c.opened_at)).where(
            web_session.c.person_id == person_id)).scalar()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    connection.execute(insert(web_session).values(
        uai=uai, token_sha256=digest(token), person_id=person_id, csrf=csrf, opened_at=now,
        previous_opened_at=previous))
    return token, csrf, previous


def live_session(connection: Connection, token: str, now: datetime) -> SessionRow | None:
    """The session of this cookie while it lives: not ended, younger than SESSION_SECONDS, its
    account active; None otherwise."""
    row = connection.execute(
        select(web_session, person.c.key)
        .join(person, person.c.id == web_session.c.person_id)
        .join(account, account.c.person_id == web_session.c.person_id)
        .where((web_session.c.token_sha256 == digest(token)) & _alive(web_session, now)
               & (account.c.status == "active"))).first()
    if row is None:
        return None
    return SessionRow(uai=row.uai, person_key=row.key, csrf=row.csrf, opened_at=row.opened_at,
                      previous_opened_at=row.previous_opened_at)


def end_session(connection: Connection, token: str, now: datetime, reason: str) -> bool:
    return _end(connection, web_session, token, now, reason)


def _end(connection: Connection, table: Table, token: str, now: datetime, reason: str) -> bool:
    """The session of this cookie ended, in `table` (a school person's or an operator's)."""
    return bool(_end_open(connection, table, table.c.token_sha256 == digest(token), now, reason))


def _end_open(connection: Connection, table: Table, which: ColumnElement[bool] | None,
              now: datetime, reason: str) -> int:
    """The open sessions of `table` that `which` selects (None: all) ended; how many."""
    ending = update(table).where(table.c.ended_at.is_(None))
    if which is not None:
        ending = ending.where(which)
    return int(connection.execute(ending.values(ended_at=now, end_reason=reason)).rowcount)


def _alive(table: Table, now: datetime) -> ColumnElement[bool]:
    """A session not ended and younger than SESSION_SECONDS."""
    return table.c.ended_at.is_(None) & (
        table.c.opened_at > now - timedelta(seconds=SESSION_SECONDS))


def _live_count(connection: Connection, table: Table, now: datetime) -> int:
    count: int = connection.execute(
        select(func.count()).select_from(table).where(_alive(table, now))).scalar_one()
    return count


def _purge(connection: Connection, table: Table, now: datetime) -> None:
    """Sessions older than KEPT_DAYS go: the table does not grow with every sign-in."""
    connection.execute(delete(table).where(table.c.opened_at < now - timedelta(days=KEPT_DAYS)))


def end_sessions_of(connection: Connection, person_id: int, now: datetime, reason: str) -> int:
    """Every open session of this person ended; how many there were."""
    return _end_open(connection, web_session, web_session.c.person_id == person_id, now, reason)


def live_session_count(connection: Connection, now: datetime) -> int:
    """Sessions of the console still open and not expired, in every school of the store, and
    the operators'."""
    return _live_count(connection, web_session, now) + _live_count(connection, operator_session,
                                                                   now)


def end_every_session(connection: Connection, now: datetime, reason: str) -> None:
    """The school people's sessions and the operators'."""
    _end_open(connection, web_session, None, now, reason)
    end_operator_sessions(connection, None, now, reason)


# The operators' sessions: the same life (sign-out, expiry, password change, removal).

def open_operator_session(connection: Connection, found: OperatorRow, uai: str,
                          now: datetime) -> tuple[str, str]:
    """A new session looking at `uai`: (the cookie's value, the forms' CSRF token); the
    operator's last sign-in is now."""
    _purge(connection, operator_session, now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    connection.execute(insert(operator_session).values(
        token_sha256=digest(token), operator_id=found.operator_id, uai=uai, csrf=csrf,
        opened_at=now))
    record_sign_in(connection, found, now)
    return token, csrf


def live_operator_session(connection: Connection, token: str,
                          now: datetime) -> OperatorSessionRow | None:
    """The session of this cookie while it lives: not ended, younger than SESSION_SECONDS, its
    operator active; None otherwise."""
    found = connection.execute(
        select(operator_session.c.uai, operator_session.c.csrf, operator_session.c.opened_at,
               operator)
        .join(operator, operator.c.id == operator_session.c.operator_id)
        .where((operator_session.c.token_sha256 == digest(token))
               & _alive(operator_session, now) & operator.c.active)).first()
    if found is None:
        return None
    return OperatorSessionRow(operator=operator_of(found), uai=found.uai, csrf=found.csrf,
                              opened_at=found.opened_at)


def look_at_school(connection: Connection, token: str, uai: str) -> None:
    """The school the session's pages are about from now on."""
    connection.execute(update(operator_session).where(
        (operator_session.c.token_sha256 == digest(token)) & operator_session.c.ended_at.is_(None))
        .values(uai=uai))


def end_operator_session(connection: Connection, token: str, now: datetime, reason: str) -> bool:
    return _end(connection, operator_session, token, now, reason)


def end_operator_sessions(connection: Connection, operator_id: int | None, now: datetime,
                          reason: str) -> int:
    """Every open session of this operator (None: of every operator) ended; how many."""
    which = None if operator_id is None else operator_session.c.operator_id == operator_id
    return _end_open(connection, operator_session, which, now, reason)

