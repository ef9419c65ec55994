"""What the checks read: the store's latest school year (and the one before), the newest import
when not applied yet, and the read-only comparison of each target with the store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, and_, select

from bascule.domain.structures import level_of
from bascule.plan.desired import INE_SCHEMES, present_eleves
from bascule.snapshot.model import Snapshot
from bascule.store.codec import recall
from bascule.store.holds import guardians_of, person_holds
from bascule.store.login_collisions import shared_educonnect, twin_responsables
from bascule.store.schema import account, login, person, person_source_id, staged_snapshot
from bascule.store.staging import newest_staged
from bascule.targets.store_view import latest_year, school_view, year_facts
from bascule.verification.model import TargetState, VerificationInput


def store_input(engine: Engine, uai: str, targets: tuple[TargetState, ...] = (), *,
                today: date, plan_pending: bool,
                eleves_held: tuple[str, ...] = (),
                eleves_listed_elsewhere: tuple[str, ...] = ()) -> VerificationInput:
    """`today`: the verification's day (the school's local date), as the plan takes it;
    `plan_pending`: a plan made now would not be empty (operations.campaign.plan_needed);
    `eleves_held`: the élèves of the export the plan in force held without an account;
    `eleves_listed_elsewhere`: those with an account here another school's export lists."""
    with engine.connect() as connection:
        year = latest_year(connection, uai)
        view = school_view(connection, uai, year)
        facts = year_facts(connection, uai, year)
        previous = school_view(connection, uai, year - 1) if year is not None else None
        export_eleves, exited_eleves = _export_eleves(connection, uai, today, plan_pending)
        return VerificationInput(
            view=view, previous=previous if previous and previous.divisions else None,
            levels={code: level_of(code, mefs) for code, (_label, mefs)
                    in facts.divisions.items()},
            labels=_labels(connection, uai),
            export_eleves=export_eleves, exited_eleves=exited_eleves,
            held=(held := frozenset(hold.key for hold in person_holds(connection, uai)
                                    if hold.active_on(today))),
            held_guardians=guardians_of(connection, uai, held),
            eleve_accounts=_statuses(connection, uai, "eleve"),
            guardians=facts.guardians,
            responsable_accounts=_statuses(connection, uai, "responsable"), targets=targets,
            shared_educonnect=tuple(shared_educonnect(connection, uai)),
            twin_responsables=tuple(twin_responsables(connection, uai)),
            eleves_held=eleves_held, eleves_listed_elsewhere=eleves_listed_elsewhere)


def _export_eleves(connection: Connection, uai: str, today: date, plan_pending: bool
                   ) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The newest campaign's élèves present `today` by the plan's own rule, and those its
    DATE_SORTIE made leavers since the export; read only when a plan would not be empty
    (else None: the campaign itself is not read)."""
    staged = newest_staged(connection, uai) if plan_pending else None
    if staged is None:
        return None, frozenset()
    present = {eleve.eleve_id for eleve in present_eleves(staged.snapshot, today)}
    exited = [e.eleve_id for e in staged.snapshot.active_eleves if e.eleve_id not in present]
    return _keys_of(connection, uai, list(present)), _keys_of(connection, uai, exited)


def _labels(connection: Connection, uai: str) -> dict[str, str]:
    query = (select(person.c.key, person.c.last_name, person.c.first_name, login.c.login)
             .outerjoin(login, and_(login.c.person_id == person.c.id,
                                    login.c.freed_at.is_(None)))
             .where(person.c.uai == uai).order_by(login.c.namespace))
    labels: dict[str, str] = {}
    for row in connection.execute(query):
        if row.key not in labels:
            suffix = f" ({row.login})" if row.login else ""
            labels[row.key] = f"{row.last_name} {row.first_name}{suffix}"
    return labels


def _statuses(connection: Connection, uai: str, profile: str) -> dict[str, str]:
    query = (select(person.c.key, account.c.status)
             .join(account, account.c.person_id == person.c.id)
             .where((person.c.uai == uai) & (person.c.profile == profile)))
    return {row.key: row.status for row in connection.execute(query)}


def _keys_of(connection: Connection, uai: str, eleve_ids: list[str]) -> frozenset[str]:
    """The store's keys of the élèves an export names by ELEVE_ID."""
    query = (select(person_source_id.c.value, person.c.key)
             .join(person, person.c.id == person_source_id.c.person_id)
             .where((person.c.uai == uai) & (person_source_id.c.scheme == "eleve_id")))
    known: Mapping[str, str] = {row.value: row.key for row in connection.execute(query)}
    return frozenset(known[eleve_id] for eleve_id in eleve_ids if eleve_id in known)


@dataclass(frozen=True, slots=True)
class ListedElsewhere:
    """An élève with an account here whom another school's newest campaign lists too."""

    label: str  # « NOM Prénom (login) »
    school: str  # the other school's UAI
    export_date: date  # that school's export


def listed_elsewhere(engine: Engine, uai: str, others: Iterable[str], *,
                     today: date) -> list[ListedElsewhere]:
    """The élèves with an active account here whom this school's newest campaign and another
    school's newest one (of the same school year or a later one) both list on `today`, by an
    INE: the double enrolment that school's plan holds, the account left here (plan/matching).
    Each school's newest campaign is reached by its UAI, the accounts by this school's."""
    with engine.connect() as connection:
        year = connection.execute(
            select(staged_snapshot.c.school_year).where(staged_snapshot.c.uai == uai)
            .order_by(staged_snapshot.c.id.desc()).limit(1)).scalar()
        here = _listed_ines(connection, uai, year or 0, today) if year is not None else {}
        if not here:
            return []
        query = (select(person_source_id.c.value, person.c.key)
                 .join(person, person.c.id == person_source_id.c.person_id)
                 .join(account, account.c.person_id == person.c.id)
                 .where((person.c.uai == uai) & (person.c.profile == "eleve")
                        & (account.c.status == "active")
                        & person_source_id.c.scheme.in_(INE_SCHEMES)))
        keys = {row.value: row.key for row in connection.execute(query) if row.value in here}
        found = {(keys[ine], school, day) for school in sorted(set(others) - {uai})
                 for ine, day in _listed_ines(connection, school, year or 0, today).items()
                 if ine in keys}
        labels = _labels(connection, uai) if found else {}
    return [ListedElsewhere(labels.get(key, key), school, day)
            for key, school, day in sorted(found, key=lambda f: (labels.get(f[0], f[0]),
                                                                 f[1]))]


def _listed_ines(connection: Connection, uai: str, year: int, today: date) -> dict[str, date]:
    """INE -> export date, of the élèves the school's newest campaign lists on `today`, when
    that campaign is of `year` or a later one (an earlier one says nothing of this year)."""
    newest = connection.execute(
        select(staged_snapshot.c.school_year, staged_snapshot.c.staged_at,
               staged_snapshot.c.content_sha256)
        .where(staged_snapshot.c.uai == uai).order_by(staged_snapshot.c.id.desc()).limit(1)
    ).first()
    if newest is None or newest.school_year < year:
        return {}
    sha256 = newest.content_sha256
    listed = _LISTED.get(sha256)
    if listed is None:
        snapshot = recall(sha256, Snapshot, lambda: bytes(connection.execute(
            select(staged_snapshot.c.snapshot).where((staged_snapshot.c.uai == uai)
                                                     & (staged_snapshot.c.content_sha256
                                                        == sha256))).scalar_one()))
        listed = (snapshot.export_date or newest.staged_at.date(), tuple(
            (ine, eleve.exit_date) for eleve in snapshot.active_eleves
            for ine in (eleve.ine, eleve.ine_rnie, eleve.ine_bea) if ine))
        if len(_LISTED) >= _LISTED_KEPT:
            del _LISTED[next(iter(_LISTED))]
        _LISTED[newest.content_sha256] = listed
    exported, ines = listed
    return {ine: exported for ine, exit_date in ines if exit_date is None or exit_date > today}


# A campaign's INEs and DATE_SORTIE, by its content's hash (never stale): a process verifying
# every school of a night (--jobs 1) decodes each other school's campaign once, not once for
# each school it verifies.
_LISTED: dict[str, tuple[date, tuple[tuple[str, date | None], ...]]] = {}
_LISTED_KEPT = 256
