"""Who a console request comes from: its session, kept server-side and ended at once when it
must be (sign-out, a password changed or reset, "end every session", an account disabled), and
the person read afresh on every request, let in only while their account is active and, for
élèves and responsables, while the rentrée closure lets them in. What a person is told when they
sign in (a reset of a direction account) is read here too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from bascule.domain.school import describe_moment
from bascule.errors import UserError
from bascule.operations.school import let_in
from bascule.settings import Settings
from bascule.store.audit import AuditFilter, JournalEntry, journal_entries
from bascule.store.engine import open_store
from bascule.store.operators import OperatorRow, as_person
from bascule.store.people import Person, find_person_by_key
from bascule.store.sessions import (
    SESSION_SECONDS,
    end_operator_session,
    live_operator_session,
    live_session,
    look_at_school,
    open_operator_session,
)
from bascule.store.sessions import end_session as end_one
from bascule.store.sessions import open_session as open_one

__all__ = ["SESSION_SECONDS", "Session", "SignedOut", "choose_school", "end_session",
           "open_operator_console", "open_session", "session_of", "sign_in_notices"]

NOTICE_DAYS = 30  # how far back a first sign-in looks for notices


class SignedOut(UserError):
    """No live session: never opened, signed out, ended by someone, or expired."""

    def __init__(self) -> None:
        super().__init__("Votre session est terminée : connectez-vous de nouveau.",
                         hint="Page Connexion.")


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    uai: str
    login: str
    csrf: str  # the token every form of this session carries
    person: Person  # read afresh for this request (an operator: store/operators.as_person)
    previous_sign_in: datetime | None


def open_session(settings: Settings, uai: str, person: Person, *, now: datetime,
                 replacing: Session | None = None) -> tuple[str, Session]:
    """After a successful sign-in, or to replace a session the person's password change
    ended (keeping what it was to be told since the previous sign-in): (the cookie's value,
    the session)."""
    with open_store(settings.store_url).begin() as connection:
        token, csrf, previous = open_one(connection, uai, person.person_id, now,
                                         previous=replacing.previous_sign_in if replacing
                                         else None)
    return token, Session(uai=uai, login=person.login, csrf=csrf, person=person,
                          previous_sign_in=previous)


def open_operator_console(settings: Settings, found: OperatorRow, uai: str, *,
                          now: datetime) -> tuple[str, Session]:
    """After an operator's sign-in (operations/operators.py sign_in_operator), looking at the
    school `uai`: (the cookie's value, the session)."""
    with open_store(settings.store_url).begin() as connection:
        token, csrf = open_operator_session(connection, found, uai, now)
    return token, Session(uai=uai, login=found.login, csrf=csrf, person=as_person(found),
                          previous_sign_in=found.last_sign_in_at)


def choose_school(settings: Settings, schools: Sequence[str], token: str | None,
                  uai: str) -> None:
    """The school an operator's session looks at from now on, one of these (the console's)."""
    if uai not in schools:
        raise UserError(f"Établissement « {uai} » inconnu de cette console : rien n'a changé.",
                        hint="Choisissez-le dans la liste.")
    with open_store(settings.store_url).begin() as connection:
        look_at_school(connection, token or "", uai)


def _operator_session(connection: Connection, token: str, schools: Sequence[str],
                      now: datetime) -> Session:
    row = live_operator_session(connection, token, now)
    if row is None or row.uai not in schools:
        raise SignedOut()
    return Session(uai=row.uai, login=row.operator.login, csrf=row.csrf,
                   person=as_person(row.operator), previous_sign_in=None)


def session_of(settings: Settings, schools: Sequence[str], token: str | None, *,
               now: datetime) -> Session:
    """The live session of this cookie, for one of these schools (a school person's, or an
    operator's); SignedOut otherwise, and a French UserError when its person may not come in
    now (closure, account no longer active)."""
    if not token:
        raise SignedOut()
    with open_store(settings.store_url).connect() as connection:
        row = live_session(connection, token, now)
        if row is None:
            return _operator_session(connection, token, schools, now)
        if row.uai not in schools:
            raise SignedOut()
        try:
            person = find_person_by_key(connection, row.uai, row.person_key)
        except UserError as exc:
            raise SignedOut() from exc
    let_in(settings, row.uai, person, now=now)
    return Session(uai=row.uai, login=person.login, csrf=row.csrf, person=person,
                   previous_sign_in=row.previous_opened_at)


def end_session(settings: Settings, token: str | None, *, now: datetime) -> None:
    """Sign-out: the cookie is worth nothing from now on, wherever it was copied."""
    if token:
        with open_store(settings.store_url).begin() as connection:
            end_one(connection, token, now, "déconnexion")
            end_operator_session(connection, token, now, "déconnexion")


def sign_in_notices(settings: Settings, session: Session, *, now: datetime) -> list[str]:
    """What the direction is told at its next sign-in, since this person's previous one: the
    resets of a direction account's password (the RRUPN may do them, the memo says), and the
    downloads of an apply's slips of direction accounts (operations/slips.py), by others."""
    if session.person.profile != "direction":
        return []
    since = session.previous_sign_in or now - timedelta(days=NOTICE_DAYS)
    engine = open_store(settings.store_url)
    resets = journal_entries(engine, session.uai, AuditFilter(action="password_reset",
                                                              since=since))
    slips = journal_entries(engine, session.uai, AuditFilter(action="fiches_telechargees",
                                                             since=since))
    return [*(_reset_notice(entry) for entry in resets if entry.actor != session.login
              and entry.detail.get("profil") == "direction"),
            *(_slips_notice(entry) for entry in slips if entry.actor != session.login
              and entry.detail.get("direction"))]


def _reset_notice(entry: JournalEntry) -> str:
    return (f"Le mot de passe de {entry.detail.get('login')} (direction) a été réinitialisé "
            f"par {entry.actor} le {describe_moment(entry.at)}.")


def _slips_notice(entry: JournalEntry) -> str:
    named = entry.detail.get("direction")
    logins = ", ".join(map(str, named)) if isinstance(named, list) else str(named)
    return (f"Les fiches des mots de passe initiaux de {logins} (direction) ont été "
            f"téléchargées par {entry.actor} le {describe_moment(entry.at)} "
            f"({entry.detail.get('fichier')}).")
