"""Reading the journal: what was done, by whom, when, on whom. It never holds a secret."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from bascule.store.schema import journal, saved_plan


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, object]


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
    return [JournalEntry(at=row.at, actor=row.actor, action=row.action,
                         subject=row.subject, detail=json.loads(row.detail)) for row in rows]


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
