"""Reading the journal: what was done, by whom, when, on whom. It never holds a secret."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, Row, func, or_, select

from bascule.domain.labels import FACTS, change_text, label
from bascule.domain.logins import LoginKind
from bascule.plan.model import ActionKind
from bascule.store.journal_facts import ADDED, KEPT_FACTS, unbundled, unfolded
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

    @property
    def actor_label(self) -> str:
        """« aoconnor (via cli:root) » for a line written in someone's name (domain/acting.py)."""
        through = self.detail.get("via")
        return f"{self.actor} (via {through})" if through else self.actor


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    since: datetime | None = None
    actor: str | None = None
    target: str | None = None  # a person key, a login or a structure code, as journaled
    target_key: str | None = None  # the key of the person whose login `target` is, if any
    action: str | None = None
    limit: int = 200


def journal_entries(engine: Engine, uai: str, wanted: AuditFilter) -> list[JournalEntry]:
    """The newest entries first; `target` also matches the logins named in the detail. The
    facts a creation's line keeps (store/journal_facts.py) are entries of their own."""
    with engine.connect() as connection:
        lines = list(islice(_lines(connection, uai, wanted), max(wanted.limit, 0)))
        keys = ({line.subject for line in lines}
                | {str(line.detail["fact"][1]) for line in lines  # type: ignore[index]
                   if "fact" in line.detail})
        names = people_named_by_key(connection, uai, keys)
    return [JournalEntry(at=line.at, actor=line.actor, action=line.action,
                         subject=line.subject, detail=line.detail,
                         subject_label=names.get(line.subject)
                         or ("" if "fact" in line.detail else _named_in(line.detail))
                         or _shown(line.subject, names),
                         detail_label=_detail_text(line.detail, names))
            for line in lines]


@dataclass(frozen=True, slots=True)
class _Line:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, object]


def _lines(connection: Connection, uai: str, wanted: AuditFilter) -> Iterator[_Line]:
    """The journal's lines that `wanted` asks for, newest first, read a page at a time: a
    creation's kept facts each a line, after it (before it, newest first)."""
    query = select(journal).where(journal.c.uai == uai).order_by(journal.c.id.desc())
    if wanted.since is not None:
        query = query.where(journal.c.at >= wanted.since)
    if wanted.actor is not None:
        query = query.where(journal.c.actor == wanted.actor)
    if wanted.action is not None:
        query = query.where(journal.c.action.in_(
            (ADDED, ActionKind.CREATE.value) if wanted.action == ADDED else (wanted.action,)))
    if wanted.target is not None:
        named = _targets(wanted)
        query = query.where(journal.c.subject.in_(named) | or_(*(
            journal.c.detail.contains(f'"{one}"', autoescape=True) for one in named)))
    page_size = max(wanted.limit, 1)
    last: int | None = None
    while True:
        rows = connection.execute(query.limit(page_size) if last is None else
                                  query.where(journal.c.id < last).limit(page_size)).all()
        for row in rows:
            yield from (line for line in _unfolded(row) if _asked(line, wanted))
        if len(rows) < page_size:
            return
        last = rows[-1].id


def _unfolded(row: Row[Any]) -> list[_Line]:
    """The lines a row stands for (store/journal_facts.py), newest first."""
    detail = json.loads(row.detail)
    if not isinstance(detail, dict):
        return [_Line(row.at, row.actor, row.action, row.subject, detail)]
    lines: list[_Line] = []
    for subject, each in reversed(unbundled(row.action, row.subject, detail)):
        facts = each.pop(KEPT_FACTS, None)
        lines += [_Line(row.at, row.actor, ADDED, subject, unfolded(subject, fact))
                  for fact in reversed(facts if isinstance(facts, list) else [])]
        lines.append(_Line(row.at, row.actor, row.action, subject, each))
    return lines


def _asked(line: _Line, wanted: AuditFilter) -> bool:
    """What the query could not tell of a line: its own action (a row with kept facts stands
    for several), and whether it names the target exactly (the query's LIKE is a wider sieve:
    its whole row's text, and on SQLite without regard to case)."""
    if wanted.action is not None and line.action != wanted.action:
        return False
    if wanted.target is None:
        return True
    named = _targets(wanted)
    if line.subject in named:
        return True
    detail = _TEXT.encode(line.detail).decode()  # encoded only when the subject is not it
    return any(f'"{one}"' in detail for one in named)


def _targets(wanted: AuditFilter) -> tuple[str, ...]:
    """What names the target in a line: itself, and its holder's key for a login (a link
    added to an élève is journaled under the élève's key, not the login); none without one."""
    return tuple(dict.fromkeys(one for one in (wanted.target, wanted.target_key) if one))


_TEXT = msgspec.json.Encoder()  # as store/apply.py writes a line's detail


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
    """What a person reads of an entry's detail: the fact it changed, the fields it changed
    (« division : 5A → 4EME5 »), else the reason given with it (a confirmed mass departure's
    `motif`: who overrode the breaker must say why, and that is read here, not only in
    --json)."""
    fact = detail.get("fact")
    if isinstance(fact, list) and len(fact) >= 2:
        kind = label(FACTS, str(fact[0]))  # a structure's fact names nothing more than itself
        return f"{kind} : {_shown(str(fact[1]), names)}" if fact[1] else kind
    changes = detail.get("changes")
    if isinstance(changes, list) and changes:  # an account's fields, old → new, in words
        return "; ".join(change_text(str(field), str(old or ""), str(new or ""))
                         for field, old, new in changes)
    reason = detail.get("motif")
    if reason:
        return f"raison : {reason}"
    return f"fichier {detail['fichier']}" if detail.get("fichier") else ""


def people_named_by_key(connection: Connection, uai: str, keys: set[str]) -> dict[str, str]:
    """Person key -> "NOM Prénom (login)": the login held (the network one first), else the
    one they held last (a deleted account's, freed)."""
    named: dict[str, str] = {}
    for key, (name, logins) in _people_and_logins(connection, uai, keys).items():
        named[key] = f"{name} ({logins[0]})" if logins else name
    return named


def logins_of_people(connection: Connection, uai: str, keys: set[str]) -> dict[str, list[str]]:
    """Person key -> every login they hold or held here, of every kind (a search by any)."""
    return {key: logins for key, (_name, logins) in
            _people_and_logins(connection, uai, keys).items()}


def _people_and_logins(connection: Connection, uai: str,
                       keys: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Person key -> ("NOM Prénom", their logins: held before freed, the network kind first
    within each, the latest freed first)."""
    query = (select(person.c.key, person.c.last_name, person.c.first_name, login.c.login,
                    login.c.namespace, login.c.freed_at)
             .outerjoin(login, login.c.person_id == person.c.id)
             .where((person.c.uai == uai) & person.c.key.in_(sorted(keys))))
    rows = sorted(connection.execute(query), key=lambda row: (
        row.freed_at is not None, row.namespace != LoginKind.NETWORK.value,
        -(row.freed_at.timestamp() if row.freed_at is not None else 0)))
    found: dict[str, tuple[str, list[str]]] = {}
    for row in rows:
        _name, logins = found.setdefault(row.key, (f"{row.last_name} {row.first_name}", []))
        if row.login and row.login not in logins:
            logins.append(row.login)
    return found


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
