"""The school's directory in the store, read as the targets need it (SchoolView), and the POSIX
numbers of its accounts and groups, given once and never reused."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, and_, func, insert, select

from bascule.directory.schema import (
    account,
    delegation,
    fact,
    login,
    person,
    posix_number,
    staged_snapshot,
)
from bascule.domain.logins import LoginKind
from bascule.domain.policy import DELEGATIONS, Role
from bascule.targets.model import NetworkUser, SchoolView

ON_THE_NETWORK = ("active", "disabled")  # deleted accounts leave the directory


def latest_year(connection: Connection, uai: str) -> int | None:
    """The newest school year applied to the school's directory."""
    year: int | None = connection.execute(select(func.max(fact.c.school_year)).where(
        fact.c.uai == uai)).scalar()
    return year


def school_view(connection: Connection, uai: str, year: int | None = None) -> SchoolView:
    """The school's directory for a school year (the latest by default)."""
    year = latest_year(connection, uai) if year is None else year
    facts = connection.execute(select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail)
                               .where((fact.c.uai == uai) & (fact.c.school_year == year))).all()
    members: dict[str, set[str]] = defaultdict(set)
    divisions, groups = {}, {}
    for row in facts:
        if row.kind == "member":
            members[row.target].add(row.subject)
        elif row.kind == "structure":
            kind, code = row.subject.split(":", 1)
            label, extra = json.loads(row.detail)
            if kind == "D":
                divisions[code] = label
            else:
                groups[code] = tuple(extra)
    return SchoolView(
        uai=uai, users=_users(connection, uai), divisions=divisions, groups=groups,
        members={target: frozenset(keys) for target, keys in members.items()},
        services=frozenset((row.subject, row.target, row.detail) for row in facts
                           if row.kind == "service"),
        profs_principaux=frozenset(row.subject for row in facts if row.kind == "pp"),
        headed_divisions=frozenset(row.target[2:] for row in facts if row.kind == "pp"),
        subjects=_subject_labels(connection, uai), referents=_referents(connection, uai))


def _users(connection: Connection, uai: str) -> tuple[NetworkUser, ...]:
    query = (select(person.c.key, person.c.first_name, person.c.last_name, person.c.profile,
                    person.c.email, account.c.status, login.c.login)
             .join(account, account.c.person_id == person.c.id)
             .join(login, and_(login.c.person_id == person.c.id,
                               login.c.namespace == LoginKind.NETWORK.value,
                               login.c.freed_at.is_(None)))
             .where((person.c.uai == uai) & (person.c.kind != "responsable")
                    & account.c.status.in_(ON_THE_NETWORK))
             .order_by(person.c.key))
    return tuple(NetworkUser(key=row.key, login=row.login, first_name=row.first_name,
                             last_name=row.last_name, profile=row.profile, email=row.email,
                             enabled=row.status == "active")
                 for row in connection.execute(query))


def _subject_labels(connection: Connection, uai: str) -> dict[str, str]:
    """From the newest staged campaign's nomenclature (the facts keep subject codes only)."""
    document = connection.execute(
        select(staged_snapshot.c.subject_labels).where(staged_snapshot.c.uai == uai)
        .order_by(staged_snapshot.c.id.desc()).limit(1)).scalar()
    labels: dict[str, str] = json.loads(document) if document else {}
    return labels


def _referents(connection: Connection, uai: str) -> frozenset[str]:
    names = [name for name, role in DELEGATIONS.items() if role is Role.RRUPN]
    query = (select(person.c.key).join(delegation, delegation.c.person_id == person.c.id)
             .where((delegation.c.uai == uai) & delegation.c.name.in_(names)
                    & delegation.c.revoked_at.is_(None)))
    return frozenset(connection.execute(query).scalars())


def posix_numbers(connection: Connection, uai: str, owners: Iterable[str],
                  first: int) -> dict[str, int]:
    """The number of each owner (a person key, or "group:<name>"), giving the next free ones
    to newcomers; a number once given is never given again."""
    rows = connection.execute(select(posix_number.c.owner, posix_number.c.number)
                              .where(posix_number.c.uai == uai)).all()
    numbers = {row.owner: row.number for row in rows}
    following = max([first - 1, *numbers.values()]) + 1
    fresh = []
    for owner in sorted(set(owners) - numbers.keys()):
        numbers[owner] = following
        fresh.append({"uai": uai, "owner": owner, "number": following})
        following += 1
    if fresh:
        connection.execute(insert(posix_number), fresh)
    return numbers
