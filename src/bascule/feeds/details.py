"""Each person's details from the newest staged campaign, found by their source ids in the store
(a person's key is the one they were created with, whatever export names them now)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from bascule.domain.people import Sex
from bascule.plan.desired import DesiredPerson, desired_people
from bascule.snapshot.model import Snapshot
from bascule.store.schema import person, person_source_id
from bascule.store.staging import newest_staged


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedDetails:
    """What the newest staged campaign says of a person beyond the store's identity, for the
    AAF feed: the Siècle ids, the civility (personalTitle), every first name, the MEF and
    subjects of an élève, the disciplines of a staff member."""

    eleve_id: str | None = None
    ine: str | None = None
    title: str | None = None  # "M." or "Mme"
    first_names: tuple[str, ...] = ()
    mef: str | None = None
    subjects: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()


_TITLES = {Sex.MALE: "M.", Sex.FEMALE: "Mme"}
# Siècle's LC_CIVILITE and STS's CIVILITE -> personalTitle.
_CIVILITIES = {"M.": "M.", "M": "M.", "MME": "Mme", "MLLE": "Mme", "1": "M.", "2": "Mme"}


def people_keys(connection: Connection, uai: str,
                desired: list[DesiredPerson]) -> dict[str, str]:
    """Snapshot ref -> store person key, through any of the person's source ids."""
    rows = connection.execute(
        select(person.c.key, person_source_id.c.scheme, person_source_id.c.value)
        .join(person_source_id, person_source_id.c.person_id == person.c.id)
        .where(person.c.uai == uai)).all()
    by_id = {(row.scheme, row.value): row.key for row in rows}
    keys = {}
    for wanted in desired:
        found = next((by_id[(s.scheme, s.value)] for s in sorted(wanted.source_ids)
                      if (s.scheme, s.value) in by_id), None)
        if found is not None:
            keys[wanted.ref] = found
    return keys


def newest_snapshot(connection: Connection, uai: str) -> Snapshot | None:
    staged = newest_staged(connection, uai)
    return staged.snapshot if staged is not None else None


def campaign_details(connection: Connection, uai: str,
                     ) -> tuple[dict[str, FeedDetails], dict[tuple[str, str], str]]:
    """Details by person key, and each (responsable key, élève key) link's CODE_PARENTE."""
    snapshot = newest_snapshot(connection, uai)
    if snapshot is None:
        return {}, {}
    desired = desired_people(snapshot)
    keys = people_keys(connection, uai, desired)
    details: dict[str, FeedDetails] = {}
    for eleve in snapshot.active_eleves:
        if (key := keys.get(f"eleve:{eleve.eleve_id}")) is not None:
            details[key] = FeedDetails(
                eleve_id=eleve.eleve_id, ine=eleve.any_ine, title=_TITLES.get(eleve.sex)
                if eleve.sex else None, first_names=(eleve.first_name, *eleve.other_first_names),
                mef=eleve.mef, subjects=eleve.subjects)
    for member in snapshot.staff:
        if (key := keys.get(f"staff:{member.key}")) is not None:
            title = _TITLES.get(member.sex) if member.sex else None
            details[key] = FeedDetails(
                title=title or _CIVILITIES.get((member.civility or "").upper()),
                first_names=(member.first_name,), disciplines=member.disciplines)
    for responsable in snapshot.responsables:
        if (key := keys.get(f"responsable:{responsable.personne_id}")) is not None:
            details[key] = FeedDetails(
                title=_CIVILITIES.get((responsable.civility or "").upper()),
                first_names=(responsable.first_name,))
    parente = {(keys[f"responsable:{link.personne_id}"], keys[f"eleve:{link.eleve_id}"]):
               link.parente for link in snapshot.guardianships
               if link.parente and f"responsable:{link.personne_id}" in keys
               and f"eleve:{link.eleve_id}" in keys}
    return details, parente
