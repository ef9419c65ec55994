"""What the directory should hold for a staged campaign: people with their ids, and the facts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

from bascule.domain.people import GuardianLevel, StaffCategory
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
from bascule.values import quick_init

_STAFF_PROFILES = {
    StaffCategory.ENSEIGNANT: "enseignant",
    StaffCategory.DIRECTION: "direction",
    StaffCategory.DOCUMENTATION: "documentation",
    StaffCategory.VIE_SCOLAIRE: "vie_scolaire",
    StaffCategory.ADMINISTRATIF: "administratif",
}
INE_SCHEMES = ("ine", "ine_rnie", "ine_bea")
AAF_SCHEME = "aaf"  # ENTPersonJointure, the académie directory's id of a person


@quick_init
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
    return [build(inputs, snapshot.uai) for inputs in people_inputs(snapshot, today)]


# What each desired person and their facts are built from, and nothing else (`build`,
# `person_facts`), the ref first: equal inputs make equal people with equal facts, given the
# same keys (plan/proportional.py digests them). The first `MATCHED[kind]` items are all that
# plan/matching.py reads of the person (ids, names, birth date, services, children); the
# others (an élève's exit date and division, an email, a staff member's function and profile)
# only what the plan does for them once matched. The last item is what their facts are made
# of beyond their key and the items before (`FactInputs`).
EleveFacts = tuple[str, ...]  # group codes, sorted (the division is an item before)
# services (structure kind, code, subject code), PP of these divisions: each sorted
StaffFacts = tuple[tuple[tuple[str, str, str], ...], tuple[str, ...]]
# Every link but the legal ones to the children (an item before): (the élève's ref, level)
ResponsableFacts = tuple[tuple[str, str], ...]
FactInputs = EleveFacts | StaffFacts | ResponsableFacts
EleveInputs = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None,
                    str, str | None, str, date | None, date | None, str | None, EleveFacts]
StaffInputs = tuple[str, str, str, str, str | None, str, date | None, tuple[str, ...],
                    str | None, str | None, str, StaffFacts]
ResponsableInputs = tuple[str, str, str | None, str, str | None, str, tuple[str, ...],
                          str | None, ResponsableFacts]
Inputs = EleveInputs | StaffInputs | ResponsableInputs
MATCHED = {PersonKind.ELEVE: 11, PersonKind.STAFF: 8, PersonKind.RESPONSABLE: 7}


def people_inputs(snapshot: Snapshot, today: date | None = None) -> list[Inputs]:
    """The inputs of `desired_people`'s people, in its order."""
    return inputs_and_present(snapshot, today)[0]


def inputs_and_present(snapshot: Snapshot, today: date | None = None
                       ) -> tuple[list[Inputs], frozenset[str]]:
    """`people_inputs`, and the ELEVE_IDs of the élèves whose legal links make a responsable's
    children (present `today`, or held for a faulty record): besides their own record and
    links, all that a responsable's inputs depend on (plan/proportional.py `chained_digests`).
    """
    eleves = present_eleves(snapshot, today)
    active = frozenset({eleve.eleve_id for eleve in eleves} | {
        record.person_id for record in snapshot.held
        if record.kind is PersonKind.ELEVE and record.treatment is not Treatment.SET_ASIDE})
    children: dict[str, set[str]] = defaultdict(set)
    others: dict[str, set[tuple[str, str]]] = defaultdict(set)  # the links of other kinds
    legal = GuardianLevel.LEGAL
    for link in snapshot.guardianships:
        if link.level is legal and link.eleve_id in active:
            children[link.personne_id].add(eleve_ref(link.eleve_id))
        else:
            others[link.personne_id].add((eleve_ref(link.eleve_id), str(link.level.value)))
    services: dict[StaffKey, set[str]] = defaultdict(set)
    taught: dict[StaffKey, set[tuple[str, str, str]]] = defaultdict(set)
    for service in snapshot.services:
        kind = service.structure_kind.value
        services[service.teacher].add(service_label(kind, service.structure_code,
                                                    service.subject_code))
        taught[service.teacher].add((kind, service.structure_code, service.subject_code))
    heads: dict[StaffKey, set[str]] = defaultdict(set)
    for pp in snapshot.profs_principaux:
        heads[pp.teacher].add(pp.division)
    inputs: list[Inputs] = [_eleve_inputs(e) for e in eleves]
    inputs += [_staff_inputs(s, services.get(s.key, ()), (
        tuple(sorted(taught.get(s.key, ()))), tuple(sorted(heads.get(s.key, ())))))
        for s in snapshot.staff]
    inputs += [_responsable_inputs(r, children[r.personne_id], tuple(sorted(
        others[r.personne_id])) if r.personne_id in others else ())
               for r in snapshot.responsables if children.get(r.personne_id)]
    return inputs, active


def build(inputs: Inputs, uai: str) -> DesiredPerson:
    """The desired person of these inputs (`people_inputs`), for the school `uai`."""
    ref = inputs[0]
    if ref.startswith("eleve:"):
        return _eleve(cast(EleveInputs, inputs), uai)
    if ref.startswith("staff:"):
        return _staff(cast(StaffInputs, inputs))
    return _responsable(cast(ResponsableInputs, inputs))


def service_label(structure_kind: str, structure_code: str, subject_code: str) -> str:
    """A service as the identity table compares it: "D:6A/MATHS"."""
    return f"{structure_target(structure_kind, structure_code)}/{subject_code}"


def _eleve_inputs(eleve: Eleve) -> EleveInputs:
    return (eleve_ref(eleve.eleve_id), eleve.ine, eleve.ine_rnie, eleve.ine_bea, eleve.elenoet,
            eleve.id_eleve_etab, eleve.aaf_jointure, eleve.last_name, eleve.birth_name,
            eleve.first_name, eleve.birth_date, eleve.exit_date, eleve.division,
            groups if len(groups := eleve.groups) < 2 else tuple(sorted(set(groups))))


def _eleve(inputs: EleveInputs, uai: str) -> DesiredPerson:
    (ref, ine, ine_rnie, ine_bea, elenoet, id_eleve_etab, aaf_jointure, last_name, birth_name,
     first_name, birth_date, exit_date, division, _facts) = inputs
    ids = {SourceId("eleve_id", ref.removeprefix("eleve:"))}
    ids |= {SourceId(scheme, value) for scheme, value in zip(
        INE_SCHEMES, (ine, ine_rnie, ine_bea), strict=True) if value}
    foreign = None
    if elenoet and elenoet_issued_here(uai, elenoet, id_eleve_etab):
        ids.add(SourceId("elenoet", elenoet))
    elif elenoet:
        foreign = elenoet
    if aaf_jointure:
        ids.add(SourceId(AAF_SCHEME, aaf_jointure))
    return DesiredPerson(
        ref=ref, kind=PersonKind.ELEVE, source_ids=frozenset(ids),
        identity=Identity(last_name=last_name, birth_name=birth_name, first_name=first_name,
                          birth_date=birth_date, email=None, function=None, profile="eleve",
                          exit_date=exit_date),
        division=division, foreign_elenoet=foreign,
    )


def staff_ref(member: Staff) -> str:
    return f"staff:{member.key}"


def _staff_inputs(member: Staff, services: Iterable[str], facts: StaffFacts) -> StaffInputs:
    scheme = {"epp": "sts_epp", "local": "sts_local"}.get(member.key.source, member.key.source)
    return (staff_ref(member), scheme, member.key.staff_id, member.last_name, member.birth_name,
            member.first_name, member.birth_date, tuple(sorted(services)), member.email,
            member.function or None, _STAFF_PROFILES[member.category], facts)


def _staff(inputs: StaffInputs) -> DesiredPerson:
    (ref, scheme, staff_id, last_name, birth_name, first_name, birth_date, services, email,
     function, profile, _facts) = inputs
    return DesiredPerson(
        ref=ref, kind=PersonKind.STAFF, source_ids=frozenset({SourceId(scheme, staff_id)}),
        identity=Identity(last_name=last_name, birth_name=birth_name, first_name=first_name,
                          birth_date=birth_date, email=email, function=function,
                          profile=profile),
        services=frozenset(services),
    )


def _responsable_inputs(responsable: Responsable, children: Iterable[str],
                        links: ResponsableFacts) -> ResponsableInputs:
    # An AAF jointure is not a Siècle PERSONNE_ID: two numberings, never mixed.
    scheme, value = ((AAF_SCHEME, responsable.aaf_jointure) if responsable.aaf_jointure
                     else ("personne_id", responsable.personne_id))
    return (f"responsable:{responsable.personne_id}", scheme, value, responsable.last_name,
            responsable.birth_name, responsable.first_name, tuple(sorted(children)),
            responsable.email, links)


def _responsable(inputs: ResponsableInputs) -> DesiredPerson:
    ref, scheme, value, last_name, birth_name, first_name, children, email, _facts = inputs
    assert value is not None  # a PERSONNE_ID or an AAF jointure
    return DesiredPerson(
        ref=ref, kind=PersonKind.RESPONSABLE, source_ids=frozenset({SourceId(scheme, value)}),
        identity=Identity(last_name=last_name, birth_name=birth_name, first_name=first_name,
                          birth_date=None, email=email, function=None, profile="responsable"),
        children=frozenset(children),
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


def structure_facts(snapshot: Snapshot) -> set[FactRow]:
    """The year's divisions and groups, as rows."""
    facts = {("structure", structure_target("D", d.code), "",
              json.dumps([d.label, list(d.mefs)])) for d in snapshot.divisions}
    facts |= {("structure", structure_target("G", g.code), "",
               json.dumps([g.label, list(g.parent_divisions)])) for g in snapshot.groups}
    return facts


def person_facts(inputs: Inputs, key: str, key_of: Mapping[str, str]) -> list[FactRow]:
    """The facts of which the person of these inputs (`people_inputs`), of directory key
    `key`, is the subject: `desired_facts`'s rows of that subject (`key_of`: the key of each
    ref, for a responsable's children)."""
    ref = inputs[0]
    if ref.startswith("eleve:"):
        eleve = cast(EleveInputs, inputs)
        rows = [("member", key, structure_target("G", code), "") for code in eleve[13]]
        if division := eleve[12]:
            rows.append(("member", key, structure_target("D", division), ""))
        return rows
    if ref.startswith("staff:"):
        taught, heads = cast(StaffInputs, inputs)[11]
        return [*(("service", key, structure_target(kind, code), subject)
                  for kind, code, subject in taught),
                *(("pp", key, structure_target("D", division), "") for division in heads)]
    responsable = cast(ResponsableInputs, inputs)
    legal = str(GuardianLevel.LEGAL.value)
    return [*(("guardian", key, child, legal) for eleve in responsable[6]
              if (child := key_of.get(eleve)) is not None),
            *(("guardian", key, child, level) for eleve, level in responsable[8]
              if (child := key_of.get(eleve)) is not None)]


def desired_facts(snapshot: Snapshot, key_of: Mapping[str, str]) -> frozenset[FactRow]:
    """The year's structures and who belongs to, teaches, heads or represents what (as rows:
    FactRow)."""
    facts = structure_facts(snapshot)
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
