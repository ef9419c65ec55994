"""Who in the directory is each person of the campaign: by ids first, by name last.

Élèves: any INE -> ELEVE_ID -> ELENOET -> last name + first name + birth date.
Staff: STS epp id or the CSV id -> STS local id with the same name -> name + birth date.
Responsables: PERSONNE_ID -> name and a child in common.
The AAF jointure (scheme "aaf") is an id like the others for every kind.
A tier with several candidates, or a candidate already claimed, is ambiguous: reported, never
merged; the person is left out of the plan until someone settles it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bascule.plan.desired import AAF_SCHEME, INE_SCHEMES, DesiredPerson
from bascule.plan.model import KnownPerson, PersonKind, PlanProblem

Tier = Callable[[DesiredPerson, "Index"], set[str]]


@dataclass(slots=True)
class Index:
    """The known people of one kind, by id value (per scheme family) and by name."""

    people: dict[str, KnownPerson] = field(default_factory=dict)
    by_id: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[tuple[str, str, object], set[str]] = field(
        default_factory=lambda: defaultdict(set))
    children: dict[str, frozenset[str]] = field(default_factory=dict)


def _family(scheme: str) -> str:
    """INE_RNIE and INE_BEA are INEs too: an INE matches whichever field holds it."""
    return "ine" if scheme in INE_SCHEMES else scheme


def build_index(people: Iterable[KnownPerson], children: dict[str, frozenset[str]]) -> Index:
    index = Index(children=children)
    for person in people:
        index.people[person.key] = person
        for source in person.source_ids:
            index.by_id[(_family(source.scheme), source.value)].add(person.key)
        identity = person.identity
        index.by_name[(identity.last_name.casefold(), identity.first_name.casefold(),
                       identity.birth_date)].add(person.key)
    return index


def _by_ids(*schemes: str) -> Tier:
    def tier(person: DesiredPerson, index: Index) -> set[str]:
        found: set[str] = set()
        for source in person.source_ids:
            if source.scheme in schemes:
                found |= index.by_id.get((_family(source.scheme), source.value), set())
        return found
    return tier


def _by_name(person: DesiredPerson, index: Index) -> set[str]:
    return set(index.by_name.get(person.name_key, set()))


def _local_id_and_name(person: DesiredPerson, index: Index) -> set[str]:
    """An STS local id is reused from year to year for other people: trusted with the name."""
    same_id = _by_ids("sts_local")(person, index)
    return {key for key in same_id
            if index.people[key].identity.last_name.casefold() == person.name_key[0]
            and index.people[key].identity.first_name.casefold() == person.name_key[1]}


def _by_name_and_child(matched_children: dict[str, str]) -> Tier:
    def tier(person: DesiredPerson, index: Index) -> set[str]:
        children = {matched_children[ref] for ref in person.children if ref in matched_children}
        last, first, _ = person.name_key
        return {key for key, known in index.people.items()
                if known.identity.last_name.casefold() == last
                and known.identity.first_name.casefold() == first
                and index.children.get(key, frozenset()) & children}
    return tier


def _tiers(kind: PersonKind, matched_children: dict[str, str]) -> tuple[Tier, ...]:
    if kind is PersonKind.ELEVE:
        return (_by_ids(*INE_SCHEMES), _by_ids("eleve_id"), _by_ids(AAF_SCHEME),
                _by_ids("elenoet"), _by_name)
    if kind is PersonKind.STAFF:
        return (_by_ids("sts_epp", "csv", AAF_SCHEME), _local_id_and_name, _by_name)
    return (_by_ids("personne_id", AAF_SCHEME), _by_name_and_child(matched_children))


@dataclass(slots=True)
class Matching:
    known: dict[str, KnownPerson] = field(default_factory=dict)  # desired ref -> known person
    problems: list[PlanProblem] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)  # desired refs left out of the plan

    def known_keys(self) -> set[str]:
        return {person.key for person in self.known.values()}


def match_people(
    desired: list[DesiredPerson],
    known: Iterable[KnownPerson],
    children: dict[str, frozenset[str]],
) -> Matching:
    """Tier by tier over everyone, strongest evidence first, so that a name never takes a record
    an id speaks for; élèves before responsables, who are recognised through their children."""
    matching = Matching()
    known = list(known)
    claimed: set[str] = set()
    for kind in (PersonKind.ELEVE, PersonKind.STAFF, PersonKind.RESPONSABLE):
        index = build_index((p for p in known if p.kind is kind), children)
        matched_children = {ref: person.key for ref, person in matching.known.items()}
        pending = sorted((p for p in desired if p.kind is kind), key=lambda p: p.ref)
        for tier in _tiers(kind, matched_children):
            pending = [person for person in pending
                       if not _settled_by(tier, person, index, claimed, matching)]
    return matching


def _settled_by(tier: Tier, person: DesiredPerson, index: Index, claimed: set[str],
                matching: Matching) -> bool:
    """Match or report the person if this tier finds anyone; False to try the next tier."""
    candidates = tier(person, index)
    if not candidates:
        return False
    if len(candidates) == 1 and not candidates & claimed:
        (key,) = candidates
        claimed.add(key)
        matching.known[person.ref] = index.people[key]
        return True
    matching.ambiguous.add(person.ref)
    matching.problems.append(PlanProblem(
        person=person.ref,
        message=f"{person.label} ({person.ref}) correspond à plusieurs comptes ou à un compte "
                f"déjà attribué ({', '.join(sorted(candidates))}) : à vérifier, rien n'est "
                "fait pour cette personne"))
    return True
