"""The console's sessions, kept server-side: the cookie holds only a random id (32 bytes), the
store its SHA-256, so that a session ends the moment it is ended (sign-out, a password changed
or reset, "end every session"), and a cookie replayed afterwards is worth nothing. An apply
that disables or deletes an account ends its sessions (store/apply.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from bascule.store.schema import account, person, web_session
from bascule.store.tokens import digest

SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
KEPT_DAYS = 90  # ended sessions are kept this long (the last sign-in of each person is read)


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
    connection.execute(delete(web_session).where(
        web_session.c.opened_at < now - timedelta(days=KEPT_DAYS)))
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
        .where((web_session.c.token_sha256 == digest(token)) & web_session.c.ended_at.is_(None)
               & (web_session.c.opened_at > now - timedelta(seconds=SESSION_SECONDS))
               & (account.c.status == "active"))).first()
    if row is None:
        return None
    return SessionRow(uai=row.uai, person_key=row.key, csrf=row.csrf, opened_at=row.opened_at,
                      previous_opened_at=row.previous_opened_at)


def end_session(connection: Connection, token: str, now: datetime, reason: str) -> bool:
    done = connection.execute(update(web_session).where(
        (web_session.c.token_sha256 == digest(token)) & web_session.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason))
    return bool(done.rowcount)


def end_sessions_of(connection: Connection, person_id: int, now: datetime, reason: str) -> int:
    """Every open session of this person ended; how many there were."""
    done = connection.execute(update(web_session).where(
        (web_session.c.person_id == person_id) & web_session.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason))
    return int(done.rowcount)


def live_session_count(connection: Connection, now: datetime) -> int:
    """Sessions of the console still open and not expired, in every school of the store."""
    count: int = connection.execute(select(func.count()).select_from(web_session).where(
        web_session.c.ended_at.is_(None)
        & (web_session.c.opened_at > now - timedelta(seconds=SESSION_SECONDS)))).scalar_one()
    return count


def end_every_session(connection: Connection, now: datetime, reason: str) -> None:
    connection.execute(update(web_session).where(web_session.c.ended_at.is_(None))
                       .values(ended_at=now, end_reason=reason))
