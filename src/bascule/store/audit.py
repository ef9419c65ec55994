"""Reading the journal: what was done, by whom, when, on whom. It never holds a secret."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from bascule.domain.labels import FACTS, label
from bascule.store.schema import journal, login, person, saved_plan


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, object]
    # For people: "MARTIN Léa (lmartin)", never the store's key "eleve:1000751"; a structure:
    # "division 6A"; else the subject as journaled.
    subject_label: str = ""
    detail_label: str = ""  # a fact in words: "responsable légal : MARTIN Paul (p.martin)"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    since: datetime | None = None
    actor: str | None = None
    target: str | None = None  # a person key, a login or a structure code, as journaled
    action: str | None = None
    limit: int = 200


def journal_entries(engine: Engine, uai: str, wanted: AuditFilter) -> list[JournalEntry]:
    """The newest entries first; `target` also matches the logins named in the detail."""
    query = select(journal).where(journal.c.uai == uai).order_by(journal.c.id.desc())
    if wanted.since is not None:
        query = query.where(journal.c.at >= wanted.since)
    if wanted.actor is not None:
        query = query.where(journal.c.actor == wanted.actor)
    if wanted.action is not None:
        query = query.where(journal.c.action == wanted.action)
    if wanted.target is not None:
        query = query.where((journal.c.subject == wanted.target)
                            | journal.c.detail.contains(f'"{wanted.target}"'))
    with engine.connect() as connection:
        rows = connection.execute(query.limit(wanted.limit)).all()
        details = [json.loads(row.detail) for row in rows]
        keys = {row.subject for row in rows} | {str(d["fact"][1]) for d in details if "fact" in d}
        names = people_named_by_key(connection, uai, keys)
    return [JournalEntry(at=row.at, actor=row.actor, action=row.action, subject=row.subject,
                         detail=detail,
                         subject_label=names.get(row.subject)
                         or ("" if "fact" in detail else _named_in(detail))
                         or _shown(row.subject, names),
                         detail_label=_detail_text(detail, names))
            for row, detail in zip(rows, details, strict=True)]


def last_journaled(engine: Engine, uais: Iterable[str], action: str) -> datetime | None:
    """When `action` was last journaled for any of the schools (index ix_journal_action_at),
    or None."""
    with engine.connect() as connection:
        return connection.execute(select(func.max(journal.c.at)).where(
            journal.c.uai.in_(sorted(uais)), journal.c.action == action)).scalar_one_or_none()


def _shown(key: str, names: dict[str, str]) -> str:
    """A person by name and login, a structure by its kind and code, else as it is."""
    if key in names:
        return names[key]
    if key[:2] in ("D:", "G:"):
        return ("division " if key[0] == "D" else "groupe ") + key[2:]
    return key


def _detail_text(detail: dict[str, object], names: dict[str, str]) -> str:
    """What a person reads of an entry's detail: the fact it changed, else the reason given
    with it (a confirmed mass departure's `motif`: who overrode the breaker must say why, and
    that is read here, not only in --json)."""
    fact = detail.get("fact")
    if isinstance(fact, list) and len(fact) >= 2:
        kind = label(FACTS, str(fact[0]))  # a structure's fact names nothing more than itself
        return f"{kind} : {_shown(str(fact[1]), names)}" if fact[1] else kind
    reason = detail.get("motif")
    return f"raison : {reason}" if reason else ""


def people_named_by_key(connection: Connection, uai: str, keys: set[str]) -> dict[str, str]:
    """Person key -> "NOM Prénom (login)", the login held (the network one first)."""
    query = (select(person.c.key, person.c.last_name, person.c.first_name, login.c.login,
                    login.c.namespace)
             .outerjoin(login, (login.c.person_id == person.c.id) & login.c.freed_at.is_(None))
             .where((person.c.uai == uai) & person.c.key.in_(sorted(keys)))
             .order_by(login.c.namespace.desc()))
    named: dict[str, str] = {}
    for row in connection.execute(query):
        if row.key not in named:
            held = f" ({row.login})" if row.login else ""
            named[row.key] = f"{row.last_name} {row.first_name}{held}"
    return named


def _named_in(detail: dict[str, object]) -> str:
    """An apply's line names its person; a deleted person is found there."""
    logins = detail.get("logins")
    held = next(iter(logins.values()), "") if isinstance(logins, dict) and logins else ""
    name = str(detail.get("label") or "")
    return f"{name} ({held})" if name and held else name


def last_done(engine: Engine, uai: str, action: str, subject: str | None = None
              ) -> datetime | None:
    """When this action (on this subject) was last journaled."""
    query = select(func.max(journal.c.at)).where((journal.c.uai == uai)
                                                  & (journal.c.action == action))
    if subject is not None:
        query = query.where(journal.c.subject == subject)
    with engine.connect() as connection:
        found: datetime | None = connection.execute(query).scalar()
    return found


def last_applied(engine: Engine, uai: str) -> datetime | None:
    with engine.connect() as connection:
        found: datetime | None = connection.execute(select(func.max(saved_plan.c.applied_at))
                                                    .where(saved_plan.c.uai == uai)).scalar()
    return found
