"""What the directory should hold for a staged campaign: people with their ids, and the facts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bascule.domain.people import StaffCategory
from bascule.domain.school import elenoet_issued_here
from bascule.exports.records import ExportKind
from bascule.plan.model import FactRow, Identity, PersonKind, SourceId
from bascule.snapshot.model import (
    Eleve,
    Responsable,
    Snapshot,
    Staff,
    StaffKey,
    Treatment,
)

_STAFF_PROFILES = {
    StaffCategory.ENSEIGNANT: "enseignant",
    StaffCategory.DIRECTION: "direction",
    StaffCategory.DOCUMENTATION: "documentation",
    StaffCategory.VIE_SCOLAIRE: "vie_scolaire",
    StaffCategory.ADMINISTRATIF: "administratif",
}
INE_SCHEMES = ("ine", "ine_rnie", "ine_bea")
AAF_SCHEME = "aaf"  # ENTPersonJointure, the académie directory's id of a person


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredPerson:
    ref: str  # the snapshot's own id: "eleve:1000001", "staff:epp:8949", "responsable:2000001"
    kind: PersonKind
    source_ids: frozenset[SourceId]
    identity: Identity
    division: str | None = None
    children: frozenset[str] = frozenset()  # refs of a responsable's children
    foreign_elenoet: str | None = None  # an ELENOET of another school's numbering: not an id
    services: frozenset[str] = frozenset()  # staff: "D:6A/MATHS", what they teach

    @property
    def name_key(self) -> tuple[str, str, date | None]:
        return (self.identity.last_name.casefold(), self.identity.first_name.casefold(),
                self.identity.birth_date)

    @property
    def label(self) -> str:
        return f"{self.identity.last_name} {self.identity.first_name}"


def id_family(scheme: str) -> str:
    """INE_RNIE and INE_BEA are INEs too: an INE matches whichever field holds it."""
    return "ine" if scheme in INE_SCHEMES else scheme


def shared_ines(people: Iterable[DesiredPerson]) -> dict[str, list[DesiredPerson]]:
    """INE -> the people of the campaign wearing it, for each INE worn by more than one (an
    entry error: plan/matching.py holds them all), in the order of `people`."""
    wearers: dict[str, list[DesiredPerson]] = defaultdict(list)
    for person in people:
        for ine in {s.value for s in person.source_ids if s.scheme in INE_SCHEMES}:
            wearers[ine].append(person)
    return {ine: group for ine, group in wearers.items() if len(group) > 1}


def eleve_ref(eleve_id: str) -> str:
    return f"eleve:{eleve_id}"


def present_eleves(snapshot: Snapshot, today: date | None) -> tuple[Eleve, ...]:
    """The active élèves of the campaign still there `today` (None: on the export's date): a
    DATE_SORTIE that has passed since the export makes a leaver without waiting for the next
    export."""
    return tuple(eleve for eleve in snapshot.active_eleves
                 if today is None or eleve.exit_date is None or eleve.exit_date > today)


def desired_people(snapshot: Snapshot, today: date | None = None) -> list[DesiredPerson]:
    """Élèves present `today`, staff, and responsables who legally represent one of them (or an
    élève held for a faulty record: a held child never makes a parent a leaver)."""
    eleves = present_eleves(snapshot, today)
    active = {eleve.eleve_id for eleve in eleves} | {
        record.person_id for record in snapshot.held
        if record.kind is PersonKind.ELEVE and record.treatment is not Treatment.SET_ASIDE}
    children: dict[str, set[str]] = defaultdict(set)
    for link in snapshot.guardianships:
        if link.is_legal and link.eleve_id in active:
            children[link.personne_id].add(eleve_ref(link.eleve_id))
    services: dict[StaffKey, set[str]] = defaultdict(set)
    for service in snapshot.services:
        services[service.teacher].add(service_label(
            service.structure_kind.value, service.structure_code, service.subject_code))
    return ([_eleve(e, snapshot.uai) for e in eleves]
            + [_staff(s, frozenset(services[s.key])) for s in snapshot.staff]
            + [_responsable(r, frozenset(children[r.personne_id]))
               for r in snapshot.responsables if children.get(r.personne_id)])


def service_label(structure_kind: str, structure_code: str, subject_code: str) -> str:
    """A service as the identity table compares it: "D:6A/MATHS"."""
    return f"{structure_target(structure_kind, structure_code)}/{subject_code}"


def _eleve(eleve: Eleve, uai: str) -> DesiredPerson:
    ids = {SourceId("eleve_id", eleve.eleve_id)}
    ids |= {SourceId(scheme, value) for scheme, value in zip(
        INE_SCHEMES, (eleve.ine, eleve.ine_rnie, eleve.ine_bea), strict=True) if value}
    foreign = None
    if eleve.elenoet and elenoet_issued_here(uai, eleve.elenoet, eleve.id_eleve_etab):
        ids.add(SourceId("elenoet", eleve.elenoet))
    elif eleve.elenoet:
        foreign = eleve.elenoet
    if eleve.aaf_jointure:
        ids.add(SourceId(AAF_SCHEME, eleve.aaf_jointure))
    return DesiredPerson(
        ref=eleve_ref(eleve.eleve_id), kind=PersonKind.ELEVE, source_ids=frozenset(ids),
        identity=Identity(last_name=eleve.last_name, birth_name=eleve.birth_name,
                          first_name=eleve.first_name, birth_date=eleve.birth_date, email=None,
                          function=None, profile="eleve", exit_date=eleve.exit_date),
        division=eleve.division, foreign_elenoet=foreign,
    )


def staff_ref(member: Staff) -> str:
    return f"staff:{member.key}"


def _staff(member: Staff, services: frozenset[str]) -> DesiredPerson:
    scheme = {"epp": "sts_epp", "local": "sts_local"}.get(member.key.source, member.key.source)
    return DesiredPerson(
        ref=staff_ref(member), kind=PersonKind.STAFF,
        source_ids=frozenset({SourceId(scheme, member.key.staff_id)}),
        identity=Identity(last_name=member.last_name, birth_name=member.birth_name,
                          first_name=member.first_name, birth_date=member.birth_date,
                          email=member.email, function=member.function or None,
                          profile=_STAFF_PROFILES[member.category]),
        services=services,
    )


def _responsable(responsable: Responsable, children: frozenset[str]) -> DesiredPerson:
    return DesiredPerson(
        ref=f"responsable:{responsable.personne_id}", kind=PersonKind.RESPONSABLE,
        # An AAF jointure is not a Siècle PERSONNE_ID: two numberings, never mixed.
        source_ids=frozenset({SourceId(AAF_SCHEME, responsable.aaf_jointure)
                              if responsable.aaf_jointure
                              else SourceId("personne_id", responsable.personne_id)}),
        identity=Identity(last_name=responsable.last_name, birth_name=responsable.birth_name,
                          first_name=responsable.first_name, birth_date=None,
                          email=responsable.email, function=None, profile="responsable"),
        children=children,
    )


def covered_schemes(snapshot: Snapshot) -> frozenset[str]:
    """The id schemes this campaign speaks for: a person known only by other schemes (staff
    of a CSV not given this time) is out of its scope, and is neither updated nor disabled."""
    schemes = {"eleve_id", "elenoet", *INE_SCHEMES}
    if snapshot.has_source(ExportKind.RESPONSABLES.value):
        schemes.add("personne_id")
    if snapshot.has_source(ExportKind.STS.value):
        schemes |= {"sts_epp", "sts_local"}
    if snapshot.has_source(ExportKind.LOCAL_PEOPLE.value):
        schemes.add("csv")
    # The AAF speaks for everyone; raw exports for those known only by their AAF jointure when
    # they cover every profile it does (a school that went back from the AAF).
    if snapshot.from_aaf or {"personne_id", "sts_epp"} <= schemes:
        schemes.add(AAF_SCHEME)
    return frozenset(schemes)


def covered_fact_kinds(snapshot: Snapshot) -> frozenset[str]:
    """The kinds of facts this campaign speaks for (Fact.kind). A partial import (the élèves
    file alone, as its warnings say: responsables, staff, services and PP « ne sont pas mis à
    jour ») does not speak for the others: their facts stay as they are, neither removed nor
    changed. Structures are described (labels, MEFs, parents) by Structures.xml or STS-Web;
    without either, the élèves' codes only name them."""
    kinds = {"member"}
    if snapshot.has_source(ExportKind.RESPONSABLES.value):
        kinds.add("guardian")
    if snapshot.has_source(ExportKind.STS.value):
        kinds |= {"service", "pp"}
    if snapshot.from_aaf or any(snapshot.has_source(kind.value)
                                for kind in (ExportKind.STS, ExportKind.STRUCTURES)):
        kinds.add("structure")
    return frozenset(kinds)


def structure_target(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def desired_facts(snapshot: Snapshot, key_of: Mapping[str, str]) -> frozenset[FactRow]:
    """The year's structures and who belongs to, teaches, heads or represents what (as rows:
    FactRow)."""
    facts = {("structure", structure_target("D", d.code), "",
              json.dumps([d.label, list(d.mefs)])) for d in snapshot.divisions}
    facts |= {("structure", structure_target("G", g.code), "",
               json.dumps([g.label, list(g.parent_divisions)])) for g in snapshot.groups}
    for eleve in snapshot.active_eleves:
        key = key_of.get(eleve_ref(eleve.eleve_id))
        if key is None:
            continue
        if eleve.division:
            facts.add(("member", key, structure_target("D", eleve.division), ""))
        facts |= {("member", key, structure_target("G", code), "") for code in eleve.groups}
    staff_keys = {member.key: key_of.get(staff_ref(member)) for member in snapshot.staff}
    for service in snapshot.services:
        if (teacher := staff_keys.get(service.teacher)) is not None:
            facts.add(("service", teacher, structure_target(service.structure_kind.value,
                                                            service.structure_code),
                       service.subject_code))
    for pp in snapshot.profs_principaux:
        if (teacher := staff_keys.get(pp.teacher)) is not None:
            facts.add(("pp", teacher, structure_target("D", pp.division), ""))
    for link in snapshot.guardianships:
        responsable = key_of.get(f"responsable:{link.personne_id}")
        child = key_of.get(eleve_ref(link.eleve_id))
        if responsable is not None and child is not None:
            facts.add(("guardian", responsable, child, str(link.level.value)))
    return frozenset(facts)
