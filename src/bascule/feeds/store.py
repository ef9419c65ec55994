"""What the feeds read from the store: each person with their opaque feed id (given once, kept
across years), identity and profile; the school year's structures, memberships and services;
the GAR delegates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, and_, insert, select

from bascule.domain.naming import StructureName, school_structures, structure_names
from bascule.domain.policy import DELEGATIONS, Role
from bascule.feeds.details import FeedDetails, campaign_details
from bascule.store.schema import (
    account,
    delegation,
    feed_id,
    login,
    person,
)
from bascule.store.staging import newest_staged
from bascule.targets.store_view import (
    YearFacts,
    latest_year,
    structure_history,
    subject_labels_of,
    year_facts,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedPerson:
    key: str
    feed_id: str
    profile: str
    function: str | None
    last_name: str
    birth_name: str | None
    first_name: str
    birth_date: date | None
    email: str | None
    educonnect: str | None  # p.nom
    network: str | None = None  # pnom


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSchool:
    uai: str
    name: str
    people: tuple[FeedPerson, ...]  # active accounts only
    facts: YearFacts  # the newest year applied: structures, memberships, services, PP, links
    subjects: dict[str, str]  # code -> label
    mefs: dict[str, str]  # code -> label
    gar_delegates: tuple[FeedPerson, ...]
    # (family, code) -> the name every target gives the structure (domain/naming.py)
    structure_names: dict[tuple[str, str], StructureName]
    details: dict[str, FeedDetails] = field(default_factory=dict)  # by person key
    # (responsable key, élève key) -> Siècle CODE_PARENTE (10 mère, 20 père, 50 tuteur...)
    parente: dict[tuple[str, str], str] = field(default_factory=dict)


def feed_school(connection: Connection, uai: str, name: str) -> FeedSchool:
    facts = year_facts(connection, uai, latest_year(connection, uai))
    people = _people(connection, uai)
    details, parente = campaign_details(connection, uai)
    subjects = subject_labels_of(connection, uai)
    taught = {code: subjects.get(code, code) for _teacher, _structure, code in facts.services}
    return FeedSchool(
        uai=uai, name=name, people=tuple(people.values()), facts=facts,
        subjects=subjects, mefs=_mef_labels(connection, uai),
        structure_names=structure_names(school_structures(
            facts.divisions, facts.groups, taught, structure_history(connection, uai))),
        gar_delegates=tuple(people[key] for key in _gar_delegates(connection, uai)
                            if key in people),
        details=details, parente=parente)


def _people(connection: Connection, uai: str) -> dict[str, FeedPerson]:
    _give_feed_ids(connection, uai)
    educonnect, network = login.alias(), login.alias()
    query = (select(person, feed_id.c.value, educonnect.c.login,
                    network.c.login.label("network"))
             .join(account, account.c.person_id == person.c.id)
             .join(feed_id, feed_id.c.person_id == person.c.id)
             .outerjoin(educonnect, and_(educonnect.c.person_id == person.c.id,
                                         educonnect.c.namespace == "p.nom",
                                         educonnect.c.freed_at.is_(None)))
             .outerjoin(network, and_(network.c.person_id == person.c.id,
                                      network.c.namespace == "pnom",
                                      network.c.freed_at.is_(None)))
             .where((person.c.uai == uai) & (account.c.status == "active"))
             .order_by(person.c.key))
    return {row.key: FeedPerson(
        key=row.key, feed_id=row.value, profile=row.profile, function=row.function,
        last_name=row.last_name, birth_name=row.birth_name, first_name=row.first_name,
        birth_date=row.birth_date, email=row.email, educonnect=row.login,
        network=row.network)
        for row in connection.execute(query)}


def _give_feed_ids(connection: Connection, uai: str) -> None:
    """A random id for each person who has none yet; kept for good."""
    missing = connection.execute(
        select(person.c.id).outerjoin(feed_id, feed_id.c.person_id == person.c.id)
        .where((person.c.uai == uai) & feed_id.c.value.is_(None))).scalars().all()
    if missing:
        connection.execute(insert(feed_id), [{"person_id": pid, "value": uuid.uuid4().hex}
                                             for pid in missing])


def _mef_labels(connection: Connection, uai: str) -> dict[str, str]:
    """From the newest staged campaign's nomenclature (the facts keep MEF codes only)."""
    staged = newest_staged(connection, uai)
    if staged is None:
        return {}
    return {mef.code: mef.label or mef.code for mef in staged.snapshot.mefs}


def _gar_delegates(connection: Connection, uai: str) -> list[str]:
    names = [name for name, role in DELEGATIONS.items() if role is Role.RESPONSABLE_AFFECTATION]
    query = (select(person.c.key).join(delegation, delegation.c.person_id == person.c.id)
             .where((delegation.c.uai == uai) & delegation.c.name.in_(names)
                    & delegation.c.revoked_at.is_(None)).order_by(person.c.key))
    return list(connection.execute(query).scalars())
