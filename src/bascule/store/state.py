"""Loading the directory of one school as a StoreState value, for the pure plan."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import Connection, func, select, update

from bascule.domain.logins import LoginHolding, LoginKind, LoginRegistry
from bascule.domain.reserved import TABLE_VERSION as RESERVED_TABLE_VERSION
from bascule.domain.school import SchoolYear
from bascule.domain.structures import is_last_level
from bascule.plan.model import (
    Account,
    AccountStatus,
    Fact,
    Identity,
    KnownPerson,
    PersonKind,
    SourceId,
    StoreState,
)
from bascule.store.schema import (
    account,
    directory_version,
    fact,
    login,
    person,
    person_source_id,
)


def directory_version_of(connection: Connection, uai: str) -> int:
    query = select(directory_version.c.version).where(directory_version.c.uai == uai)
    return connection.execute(query).scalar() or 0


def fingerprint(connection: Connection, uai: str, staged_sha256: str) -> str:
    """Changes with every apply and with every newly staged campaign."""
    return f"{directory_version_of(connection, uai)}:{staged_sha256}"


def mark_in_sync(connection: Connection, uai: str, staged_sha256: str) -> None:
    """After an apply: the directory now holds exactly this staged campaign, by these rules."""
    connection.execute(update(directory_version).where(directory_version.c.uai == uai)
                       .values(in_sync_fingerprint=_in_sync_marker(connection, uai,
                                                                   staged_sha256)))


def is_in_sync(connection: Connection, uai: str, staged_sha256: str) -> bool:
    """Nothing written since an apply left the directory holding this very campaign: a plan
    would be empty, and need not be computed."""
    marker = connection.execute(select(directory_version.c.in_sync_fingerprint).where(
        directory_version.c.uai == uai)).scalar()
    return marker is not None and marker == _in_sync_marker(connection, uai, staged_sha256)


def _in_sync_marker(connection: Connection, uai: str, staged_sha256: str) -> str:
    """The fingerprint and the version of the reserved logins' table: a bascule whose table
    grew computes the next plan, which renames the accounts holding a newly reserved name."""
    return f"{fingerprint(connection, uai, staged_sha256)}:{RESERVED_TABLE_VERSION}"


def load_state(connection: Connection, uai: str, school_year: SchoolYear,
               *, quarantine: timedelta, staged_sha256: str) -> StoreState:
    holdings, logins_of = _logins(connection, uai)
    latest_year = connection.execute(select(func.max(fact.c.school_year)).where(
        (fact.c.uai == uai) & (fact.c.school_year <= school_year.start))).scalar()
    latest = _facts(connection, uai, latest_year) if latest_year is not None else frozenset()
    return StoreState(
        uai=uai,
        people=_people(connection, uai, logins_of),
        registries={kind: LoginRegistry(holdings=holdings[kind], quarantine=quarantine)
                    for kind in LoginKind},
        facts=_facts(connection, uai, school_year.start),
        fingerprint=fingerprint(connection, uai, staged_sha256),
        latest_year=latest_year,
        divisions={f.subject: f.target[2:] for f in latest
                   if f.kind == "member" and f.target.startswith("D:")},
        children=_children(latest),
        last_level_divisions=_last_level_divisions(latest),
        latest_structures=frozenset(f.subject for f in latest if f.kind == "structure"),
    )


def _children(facts: frozenset[Fact]) -> dict[str, frozenset[str]]:
    children: dict[str, set[str]] = defaultdict(set)
    for item in facts:
        if item.kind == "guardian":
            children[item.subject].add(item.target)
    return {responsable: frozenset(keys) for responsable, keys in children.items()}


def _last_level_divisions(facts: frozenset[Fact]) -> frozenset[str]:
    divisions = set()
    for item in facts:
        if item.kind == "structure" and item.subject.startswith("D:"):
            code = item.subject[2:]
            mefs = tuple(json.loads(item.detail)[1])
            if is_last_level(code, mefs):
                divisions.add(code)
    return frozenset(divisions)


def _logins(connection: Connection, uai: str) -> tuple[
        dict[LoginKind, dict[str, LoginHolding]], dict[int, dict[LoginKind, str]]]:
    """The registries, and each person's latest login per namespace (held or freed)."""
    holdings: dict[LoginKind, dict[str, LoginHolding]] = {kind: {} for kind in LoginKind}
    logins_of: dict[int, dict[LoginKind, str]] = defaultdict(dict)
    query = (select(login.c.namespace, login.c.login, login.c.person_id, login.c.freed_at,
                    person.c.key)
             .join(person, person.c.id == login.c.person_id)
             .where(login.c.uai == uai).order_by(login.c.issued_at))
    for row in connection.execute(query):
        kind = LoginKind(row.namespace)
        freed = row.freed_at
        holdings[kind][row.login] = LoginHolding(login=row.login, holder=row.key, freed_at=freed)
        logins_of[row.person_id][kind] = row.login
    return holdings, logins_of


def _people(connection: Connection, uai: str,
            logins_of: dict[int, dict[LoginKind, str]]) -> tuple[KnownPerson, ...]:
    sources: dict[int, set[SourceId]] = defaultdict(set)
    source_query = (select(person_source_id)
                    .join(person, person.c.id == person_source_id.c.person_id)
                    .where(person.c.uai == uai))
    for row in connection.execute(source_query):
        sources[row.person_id].add(SourceId(row.scheme, row.value))
    query = (select(person, account.c.status, account.c.status_since)
             .outerjoin(account, account.c.person_id == person.c.id)
             .where(person.c.uai == uai).order_by(person.c.key))
    people = []
    for row in connection.execute(query):
        known_account = None
        if row.status is not None:
            held = logins_of[row.id]
            known_account = Account(logins=tuple((kind, held[kind]) for kind in LoginKind
                                                 if kind in held),
                                    status=AccountStatus(row.status),
                                    status_since=row.status_since)
        people.append(KnownPerson(
            key=row.key, kind=PersonKind(row.kind), source_ids=frozenset(sources[row.id]),
            identity=Identity(last_name=row.last_name, birth_name=row.birth_name,
                              first_name=row.first_name, birth_date=row.birth_date,
                              email=row.email, function=row.function, profile=row.profile),
            account=known_account,
        ))
    return tuple(people)


def _facts(connection: Connection, uai: str, year: int) -> frozenset[Fact]:
    query = select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail).where(
        (fact.c.uai == uai) & (fact.c.school_year == year))
    return frozenset(Fact(row.kind, row.subject, row.target, row.detail)
                     for row in connection.execute(query))

