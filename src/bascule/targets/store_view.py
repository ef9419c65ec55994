"""The school's directory in the store, read as the targets need it (SchoolView), and the POSIX
numbers of its accounts and groups, given once and never reused."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, func, insert, select

from bascule.domain.logins import LoginKind
from bascule.domain.policy import DELEGATIONS, Role
from bascule.store.schema import (
    account,
    delegation,
    fact,
    login,
    person,
    posix_number,
    staged_snapshot,
)
from bascule.targets.config import FIRST_POSIX_NUMBER
from bascule.targets.model import NetworkUser, SchoolView

ON_THE_NETWORK = ("active", "disabled")  # deleted accounts leave the directory


def latest_year(connection: Connection, uai: str) -> int | None:
    """The newest school year applied to the school's directory."""
    year: int | None = connection.execute(select(func.max(fact.c.school_year)).where(
        fact.c.uai == uai)).scalar()
    return year


@dataclass(frozen=True, slots=True)
class YearFacts:
    """One school year's facts, read once: what every reader of the year needs."""

    divisions: dict[str, tuple[str, tuple[str, ...]]]  # code -> (label, MEFs)
    groups: dict[str, tuple[str, tuple[str, ...]]]  # code -> (label, parent divisions)
    members: frozenset[tuple[str, str]]  # (person key, "D:6A" / "G:…")
    services: frozenset[tuple[str, str, str]]  # (teacher key, structure, subject code)
    profs_principaux: frozenset[tuple[str, str]]  # (teacher key, division)
    guardians: frozenset[tuple[str, str, int]]  # (responsable key, élève key, level)

    def division_of(self) -> dict[str, str]:
        """Each élève's division code, by person key."""
        return {key: target[2:] for key, target in self.members if target.startswith("D:")}


def year_facts(connection: Connection, uai: str, year: int | None) -> YearFacts:
    rows = connection.execute(select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail)
                              .where((fact.c.uai == uai) & (fact.c.school_year == year))).all()
    divisions: dict[str, tuple[str, tuple[str, ...]]] = {}
    groups: dict[str, tuple[str, tuple[str, ...]]] = {}
    for row in rows:
        if row.kind == "structure":
            kind, code = row.subject.split(":", 1)
            label, extra = json.loads(row.detail)
            (divisions if kind == "D" else groups)[code] = (label, tuple(extra))
    return YearFacts(
        divisions=divisions, groups=groups,
        members=frozenset((r.subject, r.target) for r in rows if r.kind == "member"),
        services=frozenset((r.subject, r.target, r.detail) for r in rows if r.kind == "service"),
        profs_principaux=frozenset((r.subject, r.target[2:]) for r in rows if r.kind == "pp"),
        guardians=frozenset((r.subject, r.target, int(r.detail)) for r in rows
                            if r.kind == "guardian"))


def school_view(connection: Connection, uai: str, year: int | None = None) -> SchoolView:
    """The school's directory for a school year (the latest by default)."""
    facts = year_facts(connection, uai, latest_year(connection, uai) if year is None else year)
    members: dict[str, set[str]] = defaultdict(set)
    for key, target in facts.members:
        members[target].add(key)
    return SchoolView(
        uai=uai, users=_users(connection, uai),
        divisions={code: label for code, (label, _mefs) in facts.divisions.items()},
        groups={code: parents for code, (_label, parents) in facts.groups.items()},
        members={target: frozenset(keys) for target, keys in members.items()},
        services=facts.services,
        profs_principaux=frozenset(teacher for teacher, _ in facts.profs_principaux),
        headed_divisions=frozenset(division for _, division in facts.profs_principaux),
        subjects=subject_labels_of(connection, uai), referents=_referents(connection, uai),
        structure_history=structure_history(connection, uai))


def structure_history(connection: Connection, uai: str) -> dict[tuple[str, str], int]:
    """(family, code) -> the first school year of every structure the school's store ever held
    (divisions: their class and teaching team; groups; taught subjects), for domain/naming.py:
    a structure keeps its name from year to year, and a later one never takes it."""
    first, school = func.min(fact.c.school_year).label("year"), fact.c.uai == uai
    structures = connection.execute(select(fact.c.subject, first).where(
        school & (fact.c.kind == "structure")).group_by(fact.c.subject)).all()
    subjects = connection.execute(select(fact.c.detail, first).where(
        school & (fact.c.kind == "service")).group_by(fact.c.detail)).all()
    history: dict[tuple[str, str], int] = {("matiere", row.detail): row.year for row in subjects}
    for row in structures:
        kind, code = row.subject.split(":", 1)
        for family in (("classe", "equipe") if kind == "D" else ("groupe",)):
            history[family, code] = row.year
    return history


def _users(connection: Connection, uai: str) -> tuple[NetworkUser, ...]:
    return tuple(network_users(connection, uai, account.c.status.in_(ON_THE_NETWORK),
                               login.c.freed_at.is_(None)))


def network_users(connection: Connection, uai: str,
                  *conditions: ColumnElement[bool]) -> list[NetworkUser]:
    """The school's élèves and staff (never responsables) with a network login, one user per
    login, by key then login, as the targets hold them; `conditions` narrow the accounts
    (their status) and the logins (held or freed). `enabled`: the account is active."""
    query = (select(person.c.key, person.c.first_name, person.c.last_name, person.c.profile,
                    person.c.email, account.c.status, login.c.login)
             .join(account, account.c.person_id == person.c.id)
             .join(login, and_(login.c.person_id == person.c.id,
                               login.c.namespace == LoginKind.NETWORK.value))
             .where((person.c.uai == uai) & (person.c.kind != "responsable"), *conditions)
             .order_by(person.c.key, login.c.login))
    return [NetworkUser(key=row.key, login=row.login, first_name=row.first_name,
                        last_name=row.last_name, profile=row.profile, email=row.email,
                        enabled=row.status == "active")
            for row in connection.execute(query)]


def subject_labels_of(connection: Connection, uai: str) -> dict[str, str]:
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
                  first: int = FIRST_POSIX_NUMBER) -> dict[str, int]:
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
