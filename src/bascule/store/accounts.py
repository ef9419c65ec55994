"""The accounts of one school, as a listing: one row per person with an account."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from anyascii import anyascii
from sqlalchemy import Connection, Engine, func, select

from bascule.domain.logins import LoginKind
from bascule.store.schema import (
    account,
    directory_version,
    fact,
    login,
    person,
    person_source_id,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRow:
    login: str | None
    educonnect: str | None
    profile: str
    status: str
    last_name: str
    first_name: str
    birth_date: date | None
    division: str | None
    groups: tuple[str, ...]
    ine: str | None
    source_ids: dict[str, str]
    initial_password: bool  # never changed since it was printed: its slip may be re-printed
    exit_date: date | None = None  # an élève's DATE_SORTIE, when the export gave one
    password_origin: str = "initial"  # initial, reset (to be changed), changed by its owner


def list_accounts(engine: Engine, uai: str) -> list[AccountRow]:
    """Everyone with an account, with their structures of the newest year applied."""
    with engine.connect() as connection:
        return _account_rows(connection, uai)


def search_accounts(engine: Engine, uai: str, text: str, *, limit: int,
                    status: str | None = None) -> list[AccountRow]:
    """The first `limit` accounts whose name, login or division contains every word of the
    text, in any order, ignoring case and accents ("emery" finds ÉMERY, "anaïs andre" finds
    ANDRÉ Anaïs)."""
    words = folded(text).split()
    if not words:
        return []
    with engine.connect() as connection:
        found = [person_id for person_id, held, haystack in _search_index(connection, uai)
                 if all(word in haystack for word in words)
                 and (status is None or held == status)][:limit]
        return _account_rows(connection, uai, ids=found) if found else []


@dataclass(frozen=True, slots=True)
class _SearchIndex:
    version: int | None  # the school's directory version it was read at
    entries: tuple[tuple[int, str, str], ...]  # person id, account status, folded text


# What the account search reads, per store and school: rebuilt only when an apply changed the
# directory (names, logins, divisions and statuses change only there), so that a search on a
# département's store reads a few rows, not the whole school.
_SEARCH_INDEXES: dict[tuple[str, str], _SearchIndex] = {}


def _search_index(connection: Connection, uai: str) -> tuple[tuple[int, str, str], ...]:
    version = connection.execute(select(directory_version.c.version).where(
        directory_version.c.uai == uai)).scalar()
    key = (str(connection.engine.url), uai)
    cached = _SEARCH_INDEXES.get(key)
    if cached is not None and cached.version == version:
        return cached.entries
    logins = _logins(connection, uai)
    structures = _structures(connection, uai)
    query = (select(person.c.id, person.c.key, person.c.last_name, person.c.first_name,
                    account.c.status)
             .join(account, account.c.person_id == person.c.id)
             .where(person.c.uai == uai)
             .order_by(person.c.last_name, person.c.first_name, person.c.key))
    entries = tuple(
        (row.id, row.status, folded(" ".join((
            row.last_name, row.first_name, *logins[row.id].values(),
            *(t for t in structures.get(row.key, ()) if t.startswith("D:"))))))
        for row in connection.execute(query))
    _SEARCH_INDEXES[key] = _SearchIndex(version, entries)
    return entries


def attended_structures(connection: Connection, uai: str) -> list[str]:
    """The divisions, then the groups, that active élèves attend in the newest year applied
    (read on the caller's connection: a reset of a division reads them in its transaction)."""
    latest = _latest_member_year(connection, uai)
    query = (select(fact.c.target).distinct()
             .join(person, (person.c.uai == fact.c.uai) & (person.c.key == fact.c.subject))
             .join(account, account.c.person_id == person.c.id)
             .where((fact.c.uai == uai) & (fact.c.school_year == latest)
                    & (fact.c.kind == "member") & (person.c.profile == "eleve")
                    & (account.c.status == "active")))
    targets = set(connection.execute(query).scalars())
    divisions = sorted(t[2:] for t in targets if t.startswith("D:"))
    return divisions + sorted({t[2:] for t in targets if t.startswith("G:")} - set(divisions))


def folded(text: str) -> str:
    """Lower case, without accents: what a search compares (most names need no
    transliteration, and checking is cheaper than transliterating)."""
    return (text if text.isascii() else anyascii(text)).lower().strip()


def _account_rows(connection: Connection, uai: str, *,
                  ids: list[int] | None = None) -> list[AccountRow]:
    """The full rows of the school's accounts: all, or those of these person ids."""
    query = (select(person.c.id, person.c.key, person.c.profile, person.c.last_name,
                    person.c.first_name, person.c.birth_date, person.c.exit_date,
                    account.c.status, account.c.password_origin)
             .join(account, account.c.person_id == person.c.id)
             .where(person.c.uai == uai)
             .order_by(person.c.last_name, person.c.first_name, person.c.key))
    if ids is not None:
        query = query.where(person.c.id.in_(ids))
    rows = connection.execute(query).all()
    logins = _logins(connection, uai, ids)
    sources = _sources(connection, uai, ids)
    structures = _structures(connection, uai, None if ids is None else [r.key for r in rows])
    return [_row(r._mapping, logins[r.id], sources[r.id], structures.get(r.key, []))
            for r in rows]


def _row(row: Mapping[Any, Any], logins: dict[str, str], sources: dict[str, str],
         structures: list[str]) -> AccountRow:
    divisions = [code[2:] for code in structures if code.startswith("D:")]
    return AccountRow(
        login=logins.get(LoginKind.NETWORK.value),
        educonnect=logins.get(LoginKind.EDUCONNECT.value),
        profile=row["profile"], status=row["status"], last_name=row["last_name"],
        first_name=row["first_name"], birth_date=row["birth_date"],
        division=divisions[0] if divisions else None,
        groups=tuple(sorted(code[2:] for code in structures if code.startswith("G:"))),
        ine=sources.get("ine") or sources.get("ine_rnie") or sources.get("ine_bea"),
        source_ids=sources,
        initial_password=row["password_origin"] == "initial",
        exit_date=row["exit_date"],
        password_origin=row["password_origin"],
    )


def _logins(connection: Connection, uai: str,
            ids: list[int] | None = None) -> dict[int, dict[str, str]]:
    held: dict[int, dict[str, str]] = defaultdict(dict)
    query = select(login.c.person_id, login.c.namespace, login.c.login).where(
        (login.c.uai == uai) & login.c.freed_at.is_(None))
    if ids is not None:
        query = query.where(login.c.person_id.in_(ids))
    for row in connection.execute(query):
        held[row.person_id][row.namespace] = row.login
    return held


def _sources(connection: Connection, uai: str,
             ids: list[int] | None = None) -> dict[int, dict[str, str]]:
    sources: dict[int, dict[str, str]] = defaultdict(dict)
    query = (select(person_source_id).join(person, person.c.id == person_source_id.c.person_id)
             .where(person.c.uai == uai).order_by(person_source_id.c.value))
    if ids is not None:
        query = query.where(person.c.id.in_(ids))
    for row in connection.execute(query):
        sources[row.person_id][row.scheme] = row.value
    return sources


def _latest_member_year(connection: Connection, uai: str) -> int | None:
    found: int | None = connection.execute(select(func.max(fact.c.school_year)).where(
        (fact.c.uai == uai) & (fact.c.kind == "member"))).scalar()
    return found


def _structures(connection: Connection, uai: str,
                keys: list[str] | None = None) -> dict[str, list[str]]:
    latest = _latest_member_year(connection, uai)
    members: dict[str, list[str]] = defaultdict(list)
    if latest is None:
        return members
    query = select(fact.c.subject, fact.c.target).where(
        (fact.c.uai == uai) & (fact.c.school_year == latest) & (fact.c.kind == "member"))
    if keys is not None:
        query = query.where(fact.c.subject.in_(keys))
    for row in connection.execute(query):
        members[row.subject].append(row.target)
    return members


def deleted_logins(engine: Engine, uai: str) -> set[str]:
    """The logins (now freed) that deleted accounts held: their folders are the leavers'."""
    query = (select(login.c.login).join(person, person.c.id == login.c.person_id)
             .join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & (account.c.status == "deleted")))
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())
