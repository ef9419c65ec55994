"""Loading the directory of one school as a StoreState value, for the pure plan."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, func, insert, select, update

from bascule.domain.logins import (
    FOLDER_WIDE,
    LoginHolding,
    LoginKind,
    LoginRegistry,
    folder_holder,
)
from bascule.domain.reserved import TABLE_VERSION as RESERVED_TABLE_VERSION
from bascule.domain.school import SchoolYear
from bascule.domain.structures import is_last_level
from bascule.plan.desired import INE_SCHEMES, id_family
from bascule.plan.differences import groups_of
from bascule.plan.evidence import NameKey, namesake_keys
from bascule.plan.model import (
    Account,
    AccountStatus,
    EnrolledThere,
    FactRow,
    Identity,
    KnownPerson,
    PersonHold,
    PersonKind,
    Resolution,
    SourceId,
    StoreState,
)
from bascule.plan.reach import Lookups, Reach
from bascule.store.batch import Decoder, among, fetch_raw, slices
from bascule.store.holds import person_holds
from bascule.store.schema import (
    account,
    breaker_mark,
    directory_version,
    fact,
    login,
    person,
    person_source_id,
    staged_snapshot,
)
from bascule.store.staging import newest_staged


def directory_version_of(connection: Connection, uai: str) -> int:
    query = select(directory_version.c.version).where(directory_version.c.uai == uai)
    return connection.execute(query).scalar() or 0


def bump_version(connection: Connection, uai: str) -> None:
    """The school's directory changed: every plan saved before no longer holds."""
    changed = connection.execute(update(directory_version)
                                 .where(directory_version.c.uai == uai)
                                 .values(version=directory_version.c.version + 1)).rowcount
    if not changed:
        connection.execute(insert(directory_version).values(uai=uai, version=1))


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


def has_passed_exit_dates(connection: Connection, uai: str, today: date) -> bool:
    """Some active account's DATE_SORTIE has passed: the next plan disables it, even when the
    directory already holds the campaign."""
    query = (select(person.c.id).join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & (account.c.status == AccountStatus.ACTIVE.value)
                    & (person.c.exit_date <= today)).limit(1))
    return connection.execute(query).first() is not None


def load_state(connection: Connection, uai: str, school_year: SchoolYear,
               *, quarantine: timedelta, staged_sha256: str,
               ines: frozenset[str] = frozenset(),
               namesakes: frozenset[NameKey] = frozenset(),
               resolutions: dict[str, Resolution] | None = None,
               reach: Reach | None = None) -> StoreState:
    """`ines`: the campaign's INEs, looked up in the folder's other schools (transfers);
    `namesakes`: the `namesake_keys` of its élèves with no INE, looked up there too.
    `reach` (plan/reach.py: a plan proportional to the change): who to load in full; the
    others are given by key and status only (`StoreState.unreached`). Taken only when the
    directory's latest year is the one planned, as the basis is."""
    # Before any login of theirs is read: an apply of theirs after this changes a version.
    versions = folder_versions(connection, uai)
    latest_year = connection.execute(select(func.max(fact.c.school_year)).where(
        (fact.c.uai == uai) & (fact.c.school_year <= school_year.start))).scalar()
    holds = person_holds(connection, uai)
    loaded = None
    if reach is not None and latest_year == school_year.start:
        loaded, ines, namesakes = _reached(connection, uai, reach, holds, ines, namesakes)
    if loaded is None:
        holdings, logins_of = _logins(connection, uai)
        loaded = _Loaded(_people(connection, person.c.uai == uai, logins_of, uai), {},
                         {kind: LoginRegistry(holdings=holdings[kind], quarantine=quarantine,
                                              elsewhere=_logins_elsewhere(connection, uai,
                                                                          kind))
                          for kind in LoginKind})
    left_out = loaded.facts_left_out
    facts = (_facts_but(connection, uai, school_year.start, loaded.facts_kept) if left_out
             else _facts(connection, uai, school_year.start))
    latest = (facts if latest_year == school_year.start
              else _facts(connection, uai, latest_year) if latest_year is not None
              else frozenset())
    return StoreState(
        uai=uai,
        people=loaded.people,
        unreached=loaded.unreached,
        registries=loaded.registries if loaded.registries is not None else {
            kind: LoginRegistry(holdings=_HeldLogins(_holding(connection.engine, uai, kind)),
                                quarantine=quarantine,
                                elsewhere=_ElsewhereLogins(connection.engine, uai, kind))
            for kind in LoginKind},
        facts=facts,
        fingerprint=fingerprint(connection, uai, staged_sha256),
        folder_versions=versions,
        latest_year=latest_year,
        divisions={subject: target[2:] for kind, subject, target, _detail in latest
                   if kind == "member" and target.startswith("D:")},
        groups=groups_of(latest),
        children=_children(latest),
        last_level_divisions=_last_level_divisions(latest),
        latest_structures=frozenset(subject for kind, subject, _target, _detail in latest
                                    if kind == "structure"),
        services=_services(latest),
        elsewhere=_elsewhere(connection, uai, ines, namesakes, school_year.start),
        resolutions=resolutions or {},
        departure_marks=departure_marks(connection, uai, school_year.start),
        person_holds=holds,
        facts_left_out=left_out,
        more_facts=_more_facts(connection.engine, uai, school_year.start) if left_out else None,
    )


@dataclass(frozen=True, slots=True)
class _Loaded:
    people: tuple[KnownPerson, ...]
    unreached: dict[str, str | None]  # StoreState.unreached
    registries: dict[LoginKind, LoginRegistry] | None = None  # None: looked up login by login
    facts_left_out: frozenset[str] = frozenset()  # Reached.facts_left_out
    facts_kept: frozenset[str] = frozenset()  # the school's other keys


def _reached(connection: Connection, uai: str, reach: Reach, holds: tuple[PersonHold, ...],
             ines: frozenset[str], namesakes: frozenset[NameKey]
             ) -> tuple[_Loaded | None, frozenset[str], frozenset[NameKey]]:
    """The people `reach` asks for in full, the others by key and active profile, and the
    INEs and namesake keys of those weighed (None: so many reached that the whole school is
    loaded)."""
    active = account.c.status == AccountStatus.ACTIVE.value
    light: dict[str, str | None] = {key: profile if is_active else None
                                    for key, profile, is_active in fetch_raw(connection,
        select(person.c.key, person.c.profile, func.coalesce(active, False))
        .outerjoin(account, account.c.person_id == person.c.id).where(person.c.uai == uai))}
    reached = reach(light, _lookups(connection, uai), frozenset(hold.key for hold in holds))
    ines, namesakes = ines & reached.ines, namesakes & reached.namesakes
    if len(reached.keys) > len(light) // 2:
        return None, ines, namesakes
    where = (person.c.uai == uai) & among(connection, person.c.key, "keys")
    logins_of = _logins_of(connection, uai, where, reached.keys)
    people: list[KnownPerson] = []
    for (keys,) in slices(connection, sorted(reached.keys)):
        people += _people(connection, where, logins_of, uai, {"keys": keys})
    kept = light.keys() - reached.facts_left_out
    for key in reached.keys:
        light.pop(key, None)
    return _Loaded(tuple(sorted(people, key=lambda p: p.key)), light,
                   facts_left_out=reached.facts_left_out,
                   facts_kept=frozenset(kept)), ines, namesakes


def _lookups(connection: Connection, uai: str) -> Lookups:
    """The lookups of `reach`, their statements built once for all its calls."""
    of_school = person.c.uai == uai
    born = select(person.c.key).where(of_school & among(connection, person.c.birth_date, "days"))
    # By the ids' index first, then the people: joined, SQLite walks the school's people.
    holding = select(person_source_id.c.person_id, person_source_id.c.scheme,
                     person_source_id.c.value).where(
        among(connection, person_source_id.c.scheme, "schemes")
        & among(connection, person_source_id.c.value, "values"))
    keyed = select(person.c.key).where(among(connection, person.c.id, "ids") & of_school)

    def by_birth(days: set[date]) -> set[str]:
        return {key for (some,) in slices(connection, sorted(days))
                for (key,) in fetch_raw(connection, born, {"days": some})}

    def by_ids(pairs: set[tuple[str, str]]) -> set[str]:
        """The keys of the school's people holding one of these (scheme family, value)."""
        schemes = sorted({scheme for family, _value in pairs
                          for scheme in (INE_SCHEMES if family == "ine" else (family,))})
        ids = {pid for (some,) in slices(connection, sorted({value for _f, value in pairs}))
               for pid, scheme, value in fetch_raw(connection, holding,
                                                   {"values": some, "schemes": schemes})
               if (id_family(scheme), value) in pairs}
        return {key for (some,) in slices(connection, sorted(ids))
                for (key,) in fetch_raw(connection, keyed, {"ids": some})}

    def names() -> list[tuple[str, str, str | None, str]]:
        return [(key, last, birth, first) for key, last, birth, first in fetch_raw(
            connection, select(person.c.key, person.c.last_name, person.c.birth_name,
                               person.c.first_name)
            .where(of_school & (person.c.kind != PersonKind.ELEVE.value)))]

    return Lookups(by_ids=by_ids, by_birth=by_birth, names=names)


def _services(facts: frozenset[FactRow]) -> dict[str, frozenset[str]]:
    services: dict[str, set[str]] = defaultdict(set)
    for kind, subject, target, detail in facts:
        if kind == "service":
            services[subject].add(f"{target}/{detail}")
    return {key: frozenset(values) for key, values in services.items()}


def _elsewhere(connection: Connection, uai: str, ines: frozenset[str],
               namesakes: frozenset[NameKey], school_year: int) -> tuple[KnownPerson, ...]:
    """Élèves of the folder's other schools who hold one of these INEs, or whose names and
    birth date give one of these `namesakes` keys, with a live or disabled account: the
    candidates of a transfer; each with how their school's newest campaign lists them, when it
    is of `school_year` or a later one (a double enrolment, not a transfer)."""
    if not ines and not namesakes:  # no one to look for (a plan that weighs no élève)
        return ()
    query = (select(person_source_id.c.person_id)
             .join(person, person.c.id == person_source_id.c.person_id)
             .where(person_source_id.c.scheme.in_(INE_SCHEMES)
                    & among(connection, person_source_id.c.value, "values")
                    & (person.c.uai != uai) & (person.c.kind == PersonKind.ELEVE.value)))
    ids = sorted({pid for (some,) in slices(connection, sorted(ines))
                  for pid in connection.execute(query, {"values": some}).scalars()}
                 | _namesakes(connection, uai, namesakes))
    logins_of: dict[int, dict[LoginKind, str]] = defaultdict(dict)
    held = (select(login.c.person_id, login.c.namespace, login.c.login)
            .where(among(connection, login.c.person_id, "ids") & login.c.freed_at.is_(None))
            .order_by(login.c.issued_at))
    for (some,) in slices(connection, ids):
        for row in connection.execute(held, {"ids": some}):
            logins_of[row.person_id][LoginKind(row.namespace)] = row.login
    where = among(connection, person.c.id, "ids")
    people = [known for (some,) in slices(connection, ids)
              for known in _people(connection, where, logins_of, parameters={"ids": some})]
    live = [p for p in sorted(people, key=lambda p: p.key) if p.account is not None
            and p.account.status is not AccountStatus.DELETED]
    listed = {school: _enrolled(connection, school, school_year)
              for school in sorted({p.school for p in live if p.school is not None})}
    return tuple(_with_enrolment(p, listed.get(p.school or "", {})) for p in live)


def _namesakes(connection: Connection, uai: str, namesakes: frozenset[NameKey]) -> set[int]:
    """The ids of the other schools' élèves whose `namesake_keys` meet `namesakes`: found by
    their birth dates (ix_person_birth_date), their names folded here (as the plan folds
    them: anyascii, which the database has not)."""
    days = sorted({day for _last, _first, day in namesakes})
    query = select(person.c.id, person.c.last_name, person.c.birth_name, person.c.first_name,
                   person.c.birth_date).where(among(connection, person.c.birth_date, "days")
                                              & (person.c.uai != uai)
                                              & (person.c.kind == PersonKind.ELEVE.value))
    return {pid for (some,) in slices(connection, days)
            for pid, last, birth_name, first, born in connection.execute(query, {"days": some})
            if namesake_keys(last, birth_name, first, born) & namesakes}


def _enrolled(connection: Connection, uai: str,
              school_year: int) -> dict[tuple[str, str], EnrolledThere]:
    """(INE or ELEVE_ID, value) -> how the school's newest campaign lists its élève, when that
    campaign is of `school_year` or a later one (an earlier one: the school has not imported
    its new year yet, and says nothing of who is there now). Its active élèves only, as its own
    plan takes them; by ELEVE_ID too, for an élève it gives no INE (its own number there)."""
    newest = connection.execute(
        select(staged_snapshot.c.school_year, staged_snapshot.c.staged_at)
        .where(staged_snapshot.c.uai == uai).order_by(staged_snapshot.c.id.desc()).limit(1)
    ).first()
    staged = (newest_staged(connection, uai) if newest is not None
              and newest.school_year >= school_year else None)
    if newest is None or staged is None:
        return {}
    snapshot = staged.snapshot
    exported = snapshot.export_date or newest.staged_at.date()
    listed: dict[tuple[str, str], EnrolledThere] = {}
    for eleve in snapshot.active_eleves:
        there = EnrolledThere(export_date=exported, exit_date=eleve.exit_date)
        listed["eleve_id", eleve.eleve_id] = there
        for ine in (eleve.ine, eleve.ine_rnie, eleve.ine_bea):
            if ine:
                listed["ine", ine] = there
    return listed


def _with_enrolment(known: KnownPerson,
                    listed: Mapping[tuple[str, str], EnrolledThere]) -> KnownPerson:
    there = next((listed[listing] for s in sorted(known.source_ids)
                  if (listing := (id_family(s.scheme), s.value)) in listed), None)
    return known if there is None else replace(known, enrolled_there=there)


def departure_marks(connection: Connection, uai: str, school_year: int) -> dict[str, int]:
    """The deletion breaker's reference for a school year (plan/safety.py)."""
    rows = connection.execute(select(breaker_mark.c.profile, breaker_mark.c.active).where(
        (breaker_mark.c.uai == uai) & (breaker_mark.c.school_year == school_year)))
    return {profile: active for profile, active in rows}


def _children(facts: frozenset[FactRow]) -> dict[str, frozenset[str]]:
    children: dict[str, set[str]] = defaultdict(set)
    for kind, subject, target, _detail in facts:
        if kind == "guardian":
            children[subject].add(target)
    return {responsable: frozenset(keys) for responsable, keys in children.items()}


def _last_level_divisions(facts: frozenset[FactRow]) -> frozenset[str]:
    divisions = set()
    for kind, subject, _target, detail in facts:
        if kind == "structure" and subject.startswith("D:"):
            code = subject[2:]
            mefs = tuple(json.loads(detail)[1])
            if is_last_level(code, mefs):
                divisions.add(code)
    return frozenset(divisions)


# Rows name enum members by value: looked up in a dict, not constructed (Enum(value) is slow in
# loops over a school's thousands of rows).
_LOGIN_KINDS = tuple(LoginKind)
_LOGIN_KIND = {kind.value: kind for kind in LoginKind}
_PERSON_KIND = {kind.value: kind for kind in PersonKind}
_STATUS = {status.value: status for status in AccountStatus}


def _logins(connection: Connection, uai: str) -> tuple[
        dict[LoginKind, dict[str, LoginHolding]], dict[int, dict[LoginKind, str]]]:
    """The registries, and each person's latest login per namespace (held or freed)."""
    holdings: dict[LoginKind, dict[str, LoginHolding]] = {kind: {} for kind in LoginKind}
    logins_of: dict[int, dict[LoginKind, str]] = defaultdict(dict)
    query = (select(login.c.namespace, login.c.login, login.c.person_id, login.c.freed_at,
                    person.c.key)
             .join(person, person.c.id == login.c.person_id)
             .where(login.c.uai == uai).order_by(login.c.issued_at))
    for namespace, name, person_id, freed_at, key in connection.execute(query).all():
        kind = _LOGIN_KIND[namespace]
        holdings[kind][name] = LoginHolding(login=name, holder=key, freed_at=freed_at)
        logins_of[person_id][kind] = name
    return holdings, logins_of


def _logins_of(connection: Connection, uai: str, where: ColumnElement[bool],
               keys: Iterable[str]) -> dict[int, dict[LoginKind, str]]:
    """As `_logins`, each person's latest login per namespace, of the people `where` selects
    among `keys` (bound as "keys")."""
    logins_of: dict[int, dict[LoginKind, str]] = defaultdict(dict)
    query = (select(login.c.namespace, login.c.login, login.c.person_id)
             .join(person, person.c.id == login.c.person_id)
             .where((login.c.uai == uai) & where).order_by(login.c.issued_at))
    for (some,) in slices(connection, sorted(keys)):
        for namespace, name, person_id in connection.execute(query, {"keys": some}):
            logins_of[person_id][_LOGIN_KIND[namespace]] = name
    return logins_of


def _holding(engine: Engine, uai: str, kind: LoginKind) -> Callable[[str], LoginHolding | None]:
    """Who holds or last held a login of the school's namespace `kind` (uq_login: one row)."""
    query = (select(person.c.key, login.c.freed_at)
             .join(person, person.c.id == login.c.person_id)
             .where((login.c.uai == uai) & (login.c.namespace == kind.value)
                    & (login.c.login == bindparam("name"))))

    def lookup(name: str) -> LoginHolding | None:
        with engine.connect() as connection:
            row = connection.execute(query, {"name": name}).first()
        return None if row is None else LoginHolding(login=name, holder=row.key,
                                                     freed_at=row.freed_at)
    return lookup


def other_schools(connection: Connection, uai: str) -> list[str]:
    """The folder's other schools that were ever applied (an apply versions its school)."""
    return [other for other, _version in folder_versions(connection, uai)]


def folder_versions(connection: Connection, uai: str) -> tuple[tuple[str, int], ...]:
    """The directory version of each other school of the folder ever applied, by UAI: each of
    their applies, undos and decisions changes theirs (`bump_version`), in the transaction that
    writes their logins."""
    query = (select(directory_version.c.uai, directory_version.c.version)
             .where(directory_version.c.uai != uai).order_by(directory_version.c.uai))
    return tuple((other, version) for other, version in connection.execute(query))


def _elsewhere_query(others: list[str], kind: LoginKind) -> Any:
    # Each holder named by the school they are in now: an élève who came here from another
    # school left a freed row there, which is theirs (folder_holder is for the others).
    return (select(login.c.login, login.c.freed_at, person.c.uai, person.c.key)
            .join(person, person.c.id == login.c.person_id)
            .where(login.c.uai.in_(others) & (login.c.namespace == kind.value)))


def _elsewhere_holding(uai: str, name: str, freed_at: Any, holder_uai: str,
                       key: str) -> LoginHolding:
    return LoginHolding(login=name, freed_at=freed_at,
                        holder=key if holder_uai == uai else folder_holder(holder_uai, key))


def _logins_elsewhere(connection: Connection, uai: str, kind: LoginKind
                      ) -> Mapping[str, tuple[LoginHolding, ...]]:
    """For a namespace unique in the whole folder (EduConnect), who holds or last held each
    login in the folder's other schools; nothing for the others (the network's logins are
    each school's). Read whole in one raw fetch; a login's holdings made when the plan asks
    for it (a few thousand of the folder's tens of thousands)."""
    others = other_schools(connection, uai) if kind in FOLDER_WIDE else []
    if not others:
        return {}
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in fetch_raw(connection, _elsewhere_query(others, kind)):
        rows[row[0]].append(row)
    return _FolderLogins(rows, uai, Decoder(connection, [login.c.freed_at]))


class _FolderLogins(Mapping[str, tuple[LoginHolding, ...]]):
    """`_logins_elsewhere`'s raw rows by login, each login's holdings made on first ask."""

    def __init__(self, rows: dict[str, list[tuple[Any, ...]]], uai: str, decode: Decoder):
        self._rows, self._uai, self._decode = rows, uai, decode
        self._made: dict[str, tuple[LoginHolding, ...]] = {}

    def __getitem__(self, name: str) -> tuple[LoginHolding, ...]:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = tuple(
                _elsewhere_holding(self._uai, name,
                                   None if freed is None else self._decode((freed,))[0],
                                   holder_uai, key)
                for _name, freed, holder_uai, key in self._rows[name])
        return made

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._rows else default

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class _ElsewhereLogins(Mapping[str, tuple[LoginHolding, ...]]):
    """`_logins_elsewhere` for a plan loaded in part: looked up login by login when asked."""

    def __init__(self, engine: Engine, uai: str, kind: LoginKind):
        self._engine, self._uai, self._kind = engine, uai, kind
        self._known: dict[str, tuple[LoginHolding, ...]] = {}
        self._others: list[str] | None = None if kind in FOLDER_WIDE else []

    def __getitem__(self, name: str) -> tuple[LoginHolding, ...]:
        if name not in self._known:
            self._known[name] = self._lookup(name)
        if not self._known[name]:
            raise KeyError(name)
        return self._known[name]

    def _lookup(self, name: str) -> tuple[LoginHolding, ...]:
        with self._engine.connect() as connection:
            if self._others is None:
                self._others = other_schools(connection, self._uai)
            if not self._others:
                return ()
            rows = connection.execute(_elsewhere_query(self._others, self._kind)
                                      .where(login.c.login == name)).all()
        return tuple(_elsewhere_holding(self._uai, *row) for row in rows)

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, holdings in self._known.items() if holdings])

    def __len__(self) -> int:
        return sum(1 for holdings in self._known.values() if holdings)


class _HeldLogins(dict[str, LoginHolding]):
    """A login registry's holdings for a plan loaded in part: looked up login by login when
    asked (the few a plan of a small change hands out), not loaded whole; `copy` (the plan's
    own registry, plan/compute.py) keeps looking up."""

    def __init__(self, lookup: Callable[[str], LoginHolding | None],
                 known: Mapping[str, LoginHolding] | None = None):
        super().__init__(known or {})
        self._lookup = lookup

    def __missing__(self, name: str) -> LoginHolding:
        holding = self._lookup(name)
        if holding is None:
            raise KeyError(name)
        self[name] = holding
        return holding

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def copy(self) -> _HeldLogins:
        return _HeldLogins(self._lookup, self)


def _people(connection: Connection, where: ColumnElement[bool],
            logins_of: dict[int, dict[LoginKind, str]], uai: str | None = None,
            parameters: dict[str, object] | None = None) -> tuple[KnownPerson, ...]:
    """The people `where` selects (`parameters`: the values of its `batch.among` lists);
    those of a school other than `uai` say which."""
    sources: dict[int, set[SourceId]] = defaultdict(set)
    source_query = (select(person_source_id)
                    .join(person, person.c.id == person_source_id.c.person_id).where(where))
    for row in connection.execute(source_query, parameters or {}).all():
        sources[row.person_id].add(SourceId(row.scheme, row.value))
    query = (select(person, account.c.status, account.c.status_since)
             .outerjoin(account, account.c.person_id == person.c.id)
             .where(where).order_by(person.c.key))
    people = []
    for row in connection.execute(query, parameters or {}).all():
        known_account = None
        if row.status is not None:
            held = logins_of[row.id]
            known_account = Account(logins=tuple((kind, held[kind]) for kind in _LOGIN_KINDS
                                                 if kind in held),
                                    status=_STATUS[row.status],
                                    status_since=row.status_since)
        people.append(KnownPerson(
            key=row.key, kind=_PERSON_KIND[row.kind], source_ids=frozenset(sources[row.id]),
            identity=Identity(last_name=row.last_name, birth_name=row.birth_name,
                              first_name=row.first_name, birth_date=row.birth_date,
                              email=row.email, function=row.function, profile=row.profile,
                              exit_date=row.exit_date),
            account=known_account, school=row.uai if row.uai != uai else None,
        ))
    return tuple(people)


def _facts(connection: Connection, uai: str, year: int) -> frozenset[FactRow]:
    """The school's facts of a year: text columns only, rows as the driver gives them."""
    query = select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail).where(
        (fact.c.uai == uai) & (fact.c.school_year == year))
    return frozenset(fetch_raw(connection, query))


def _facts_but(connection: Connection, uai: str, year: int,
               kept: frozenset[str]) -> frozenset[FactRow]:
    """The school's facts of a year but those of its people whose key is not in `kept`: the
    structures', those of the keys `kept`, and those of any subject that is no key of the
    school. Told by the few keys kept (binding the school's thousand others costs more than
    reading every row), and the school's keys read by the index, in the database."""
    school_keys = select(person.c.key).where(person.c.uai == uai).scalar_subquery()
    query = select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail).where(
        (fact.c.uai == uai) & (fact.c.school_year == year)
        & ((fact.c.kind == "structure") | fact.c.subject.not_in(school_keys)
           | among(connection, fact.c.subject, "kept")))
    return frozenset(row for (some,) in slices(connection, sorted(kept) or [""])
                     for row in fetch_raw(connection, query, {"kept": some}))


def _more_facts(engine: Engine, uai: str, year: int
                ) -> Callable[[frozenset[str]], frozenset[FactRow]]:
    """StoreState.more_facts: the facts of a year of these subjects, read when asked."""
    query = select(fact.c.kind, fact.c.subject, fact.c.target, fact.c.detail).where(
        (fact.c.uai == uai) & (fact.c.school_year == year)
        & fact.c.subject.in_(bindparam("subjects", expanding=True)))

    def more(subjects: frozenset[str]) -> frozenset[FactRow]:
        with engine.connect() as connection:
            return frozenset(row for some in _chunks(sorted(subjects))
                             for row in fetch_raw(connection, query, {"subjects": some}))
    return more


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]

