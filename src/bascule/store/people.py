"""People as actors and subjects: who someone is by login, their roles, their delegations, and
the password reset. Every decision is the policy's (domain/policy.py); this module only reads
and writes what it decides on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, insert, select, update

from bascule.domain.access import ClosureOverride
from bascule.domain.acting import via_for
from bascule.domain.policy import DELEGATIONS, ROLE_OF_PROFILE, Role
from bascule.errors import NotFound, UserError
from bascule.store.batch import among, fetch_raw, slices
from bascule.store.schema import (
    DROPPED_AT_ROLLOVER,
    account,
    closure_override,
    delegation,
    fact,
    journal,
    login,
    person,
)

# Passwords someone else read (printed on a slip, shown on a screen): to be changed at the
# first sign-in. "changed" is one the person chose.
PRINTED_PASSWORDS = frozenset({"initial", "reset"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    person_id: int
    key: str
    login: str
    profile: str
    label: str
    status: str
    roles: frozenset[Role]
    structures: frozenset[str]  # "D:6A", "G:5ESP 1": taught (staff) or attended (élèves)
    must_change_password: bool  # still on a printed password (initial or reset)


def ids_by_key(connection: Connection, uai: str, keys: Iterable[str]) -> dict[str, int]:
    """The row ids of these people of the school (those it has), a few queries for thousands:
    an apply reads the people of its plan, not the whole school. When the school has few more
    people than are asked for (a first rollover: none), its people are read in one query."""
    asked, found = set(keys), dict[str, int]()
    if not asked:
        return found
    of_school = person.c.uai == uai
    if connection.execute(select(func.count()).where(of_school)).scalar_one() <= 2 * len(asked):
        found = dict(fetch_raw(connection, select(person.c.key, person.c.id).where(of_school)))
        if found.keys() <= asked:  # every person of the school asked for (a first rollover)
            return found
        return {key: pid for key, pid in found.items() if key in asked}
    query = select(person.c.key, person.c.id).where(
        of_school & among(connection, person.c.key, "keys"))
    for (keys,) in slices(connection, sorted(asked)):
        found.update((key, pid) for key, pid in connection.execute(query, {"keys": keys}))
    return found


def find_person(connection: Connection, uai: str, wanted: str) -> Person:
    """By network or EduConnect login, as typed or, when no login is that, with the spaces
    around it and its capitals aside (« ESIMON » copied from a slip: bascule's logins are
    lowercase); a clear French error when nobody holds it."""
    query = (select(person.c.id, person.c.key, person.c.profile, person.c.last_name,
                    person.c.first_name, account.c.status, account.c.password_origin,
                    login.c.login)
             .join(login, and_(login.c.person_id == person.c.id, login.c.freed_at.is_(None)))
             .join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & (login.c.uai == uai)))
    row = None
    for typed in dict.fromkeys((wanted, wanted.strip().lower())):
        row = row or connection.execute(query.where(login.c.login == typed)).first()
    if row is None:
        raise NotFound(f"Aucun compte n'a l'identifiant « {wanted} » dans {uai}.",
                       hint="Vérifiez l'identifiant : bascule accounts le liste.",
                       console_hint="Vérifiez l'identifiant (la recherche de la page Comptes "
                                    "les trouve par leur nom).")
    return Person(person_id=row.id, key=row.key, login=row.login, profile=row.profile,
                  label=f"{row.last_name} {row.first_name}", status=row.status,
                  roles=_roles(connection, uai, row.id, row.profile),
                  structures=_structures(connection, uai, row.key),
                  must_change_password=row.password_origin in PRINTED_PASSWORDS)


def find_person_by_key(connection: Connection, uai: str, key: str) -> Person:
    """By the store's key, through the login they hold (the network one first)."""
    held = connection.execute(
        select(login.c.login).join(person, person.c.id == login.c.person_id)
        .where((person.c.uai == uai) & (person.c.key == key) & login.c.freed_at.is_(None))
        .order_by(login.c.namespace.desc())).scalar()
    if held is None:
        raise UserError("Le titulaire de ce jeton n'a plus de compte.")
    return find_person(connection, uai, held)


def _roles(connection: Connection, uai: str, person_id: int, profile: str) -> frozenset[Role]:
    roles = {ROLE_OF_PROFILE[profile]} if profile in ROLE_OF_PROFILE else set()
    for name in active_delegations(connection, uai, person_id):
        roles.add(DELEGATIONS[name])
    return frozenset(roles)


def _structures(connection: Connection, uai: str, key: str) -> frozenset[str]:
    latest = connection.execute(select(func.max(fact.c.school_year)).where(
        fact.c.uai == uai)).scalar()
    query = select(fact.c.target).where(
        (fact.c.uai == uai) & (fact.c.school_year == latest) & (fact.c.subject == key)
        & fact.c.kind.in_(("member", "service", "pp")))
    return frozenset(connection.execute(query).scalars())


def active_delegations(connection: Connection, uai: str, person_id: int) -> list[str]:
    query = select(delegation.c.name).where(
        (delegation.c.uai == uai) & (delegation.c.person_id == person_id)
        & delegation.c.revoked_at.is_(None)).order_by(delegation.c.name)
    return list(connection.execute(query).scalars())


def grant(connection: Connection, uai: str, subject: Person, name: str, by: Person,
          now: datetime) -> bool:
    """False when the delegation was already granted."""
    if name in active_delegations(connection, uai, subject.person_id):
        return False
    connection.execute(insert(delegation).values(
        uai=uai, person_id=subject.person_id, name=name, granted_by=by.login, granted_at=now))
    journal_entry(connection, uai, "delegation_grant", subject.key, by.login, now,
                  {"delegation": name, "login": subject.login})
    return True


def revoke(connection: Connection, uai: str, subject: Person, name: str, by: Person,
           now: datetime) -> bool:
    """False when there was no such delegation to revoke."""
    changed = connection.execute(update(delegation).where(
        (delegation.c.uai == uai) & (delegation.c.person_id == subject.person_id)
        & (delegation.c.name == name) & delegation.c.revoked_at.is_(None)
    ).values(revoked_at=now, revoked_by=by.login)).rowcount
    if changed:
        journal_entry(connection, uai, "delegation_revoke", subject.key, by.login, now,
                      {"delegation": name, "login": subject.login})
    return bool(changed)


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegationRow:
    login: str | None
    label: str
    name: str
    granted_by: str
    granted_at: datetime
    to_renew: bool  # dropped because its holder left: someone else should get it


def list_delegations(connection: Connection, uai: str) -> list[DelegationRow]:
    held = (select(login.c.login).where((login.c.person_id == person.c.id)
                                        & login.c.freed_at.is_(None))
            .limit(1).scalar_subquery())
    query = (select(delegation, person.c.last_name, person.c.first_name, held.label("login"))
             .join(person, person.c.id == delegation.c.person_id)
             .where((delegation.c.uai == uai)
                    & (delegation.c.revoked_at.is_(None)
                       | (delegation.c.revoked_by == DROPPED_AT_ROLLOVER)))
             .order_by(delegation.c.name, person.c.last_name))
    return [DelegationRow(login=row.login, label=f"{row.last_name} {row.first_name}",
                          name=row.name, granted_by=row.granted_by, granted_at=row.granted_at,
                          to_renew=row.revoked_at is not None)
            for row in connection.execute(query)]


def set_password_hash(connection: Connection, subject: Person, password_hash: str,
                      origin: str = "reset") -> None:
    """A password set by someone else must be changed at the next login; one's own need not."""
    connection.execute(update(account).where(account.c.person_id == subject.person_id).values(
        password_hash=password_hash, must_change_password=origin != "changed",
        password_origin=origin))


def password_hash_of(connection: Connection, subject: Person) -> str:
    stored: str = connection.execute(select(account.c.password_hash).where(
        account.c.person_id == subject.person_id)).scalar_one()
    return stored


def journal_entry(connection: Connection, uai: str, action: str, subject: str, actor: str,
                  at: datetime, detail: dict[str, object]) -> None:
    """One journal line; callers pass no secret, and the reset never passes the password.
    Written in someone's name by another account (domain/acting.py), it names that account
    too (`via`)."""
    if (through := via_for(actor)) is not None:
        detail = {**detail, "via": through}
    connection.execute(insert(journal).values(
        at=at, actor=actor, uai=uai, action=action, subject=subject,
        detail=json.dumps(detail, ensure_ascii=False)))


def record_override(connection: Connection, uai: str, override: ClosureOverride,
                    by: Person) -> None:
    connection.execute(insert(closure_override).values(
        uai=uai, profile=override.profile, open=override.open, by=by.login, at=override.at))
    journal_entry(connection, uai, "ent_reopen" if override.open else "ent_close",
                  override.profile, by.login, override.at, {"profile": override.profile})


def overrides(connection: Connection, uai: str) -> list[ClosureOverride]:
    query = (select(closure_override).where(closure_override.c.uai == uai)
             .order_by(closure_override.c.at, closure_override.c.id))
    return [ClosureOverride(profile=row.profile, open=row.open, by=row.by, at=row.at)
            for row in connection.execute(query)]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountState:
    profile: str
    status: str
    exit_date: date | None  # an élève's DATE_SORTIE, when the export gave one


def account_state(connection: Connection, uai: str, wanted: str) -> AccountState | None:
    """Whoever holds or last held this login: profile, status, exit date; None if nobody ever
    did."""
    row = connection.execute(
        select(person.c.profile, account.c.status, person.c.exit_date)
        .join(login, login.c.person_id == person.c.id)
        .join(account, account.c.person_id == person.c.id)
        .where((login.c.uai == uai) & (login.c.login == wanted))
        .order_by(login.c.issued_at.desc()).limit(1)).first()
    if row is None:
        return None
    return AccountState(profile=row.profile, status=row.status, exit_date=row.exit_date)


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    person: Person
    network_login: str | None
    educonnect_login: str | None
    division: str | None
    password_origin: str


def structure_members(connection: Connection, uai: str, code: str) -> list[Member]:
    """The active élèves of a division or group, in the newest year applied."""
    latest = connection.execute(select(func.max(fact.c.school_year)).where(
        fact.c.uai == uai)).scalar()
    keys = set(connection.execute(select(fact.c.subject).where(
        (fact.c.uai == uai) & (fact.c.school_year == latest) & (fact.c.kind == "member")
        & fact.c.target.in_((f"D:{code}", f"G:{code}")))).scalars())
    members = []
    for key in sorted(keys):
        row = connection.execute(
            select(person.c.id, account.c.status, account.c.password_origin)
            .join(account, account.c.person_id == person.c.id)
            .where((person.c.uai == uai) & (person.c.key == key))).first()
        if row is None or row.status != "active":
            continue
        logins = {held.namespace: held.login for held in connection.execute(
            select(login.c.namespace, login.c.login).where(
                (login.c.person_id == row.id) & login.c.freed_at.is_(None)))}
        network = logins.get("pnom")
        found = find_person(connection, uai, network or logins["p.nom"])
        division = next((s[2:] for s in sorted(found.structures) if s.startswith("D:")), None)
        members.append(Member(person=found, network_login=network,
                              educonnect_login=logins.get("p.nom"), division=division,
                              password_origin=row.password_origin))
    return members
