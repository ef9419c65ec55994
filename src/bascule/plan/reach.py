"""Who of the directory a proportional plan reads (issue 22): the rest need not be loaded. Pure.

With the basis of the plan applied last (plan/proportional.py), a person whose record did not
change is settled on their account: the plan reads nothing of it but its key and its status.
The plan reads in full only the people it weighs (changed, new, held, reopened) and their
candidates, the accounts it may disable, and those the export's held records or the holds put
by hand name. `reached_keys` finds a superset of them, mirroring plan/matching.py's reopening
with candidates looked for more widely than the identity table does (any kind, any name of the
same birth date): loading one person more never changes a plan, one less would.
`tests/plan/test_proportional_equal.py` checks the plan of the state so loaded against the plan
of the whole directory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from bascule.plan.desired import INE_SCHEMES, DesiredPerson
from bascule.plan.evidence import fold_name
from bascule.plan.held import id_values
from bascule.plan.model import PersonKind
from bascule.plan.proportional import Basis
from bascule.snapshot.model import Snapshot


class Light(NamedTuple):
    """A person of the school as one row of the store gives them, without ids nor logins."""

    key: str
    kind: str  # a PersonKind's value
    profile: str
    active: bool  # an active account
    last_name: str
    birth_name: str | None
    first_name: str
    birth_date: date | None


# (scheme family, value) pairs -> the keys of the school's people holding one of them
ById = Callable[[set[tuple[str, str]]], set[str]]
# What the store asks, given its light rows, a way to look ids up, and the keys or refs of the
# holds put by hand: the people to load in full.
Reach = Callable[[Sequence[Light], ById, frozenset[str]], "Reached"]


def family(scheme: str) -> str:
    """INE_RNIE and INE_BEA are INEs too (plan/matching.py)."""
    return "ine" if scheme in INE_SCHEMES else scheme


@dataclass(frozen=True, slots=True)
class Prepared:
    """The campaign's people as the plan wants them, and their digests: computed once."""

    desired: list[DesiredPerson]
    digests: dict[str, str]


@dataclass(frozen=True, slots=True)
class Reached:
    keys: set[str]  # to load in full
    ines: frozenset[str]  # of the élèves weighed: looked up in the folder's other schools


def reached_keys(snapshot: Snapshot, prepared: Prepared, basis: Basis,
                 light: Sequence[Light], hand_held: frozenset[str], by_ids: ById) -> Reached:
    """The keys of the school's people a plan with this basis may read beyond key and status
    (`hand_held`: the keys or refs of the holds put by hand): everyone else is settled on an
    active account by an unchanged record."""
    walk = _Walk(prepared, basis, light, by_ids)
    walk.reach(hand_held | by_ids({pair for record in snapshot.held
                                   for pair in id_values(record)}))
    for ref in [*(record.ref for record in snapshot.held), *sorted(hand_held)]:
        walk.reopen(ref)  # set aside: their account is not present, and may be disabled
    walk.reopen_shared_ines()
    walk.reopen_unsettled()
    walk.run()
    absent = {row.key for row in light if row.active and row.key not in walk.holder}
    ines = frozenset(s.value for person in walk.weighed for s in person.source_ids
                     if s.scheme in INE_SCHEMES)
    return Reached(keys=walk.reached | absent, ines=ines)


class _Walk:
    """The settled refs of the basis, reopened as plan/matching.py would, or more widely."""

    def __init__(self, prepared: Prepared, basis: Basis, light: Sequence[Light],
                 by_ids: ById):
        self.by_ref = {person.ref: person for person in prepared.desired}
        active = {row.key for row in light if row.active}
        self.settled: dict[str, str] = {}  # ref -> key
        for ref, digest in prepared.digests.items():
            entry = basis.people.get(ref)
            if entry is not None and entry[0] == digest and entry[1] in active:
                self.settled[ref] = entry[1]
        self.holder = {key: ref for ref, key in self.settled.items()}
        self.parents: dict[str, list[str]] = defaultdict(list)
        for person in prepared.desired:
            for child in person.children:
                self.parents[child].append(person.ref)
        self.queue = [p for p in prepared.desired if p.ref not in self.settled]
        self.weighed = list(self.queue)
        self.reached: set[str] = set()
        self.search = _Search(light, by_ids)

    def reopen(self, ref: str) -> None:
        """Weigh `ref` after all, and the responsables it is a child of."""
        key = self.settled.pop(ref, None)
        if key is None:
            return
        del self.holder[key]
        self.queue.append(self.by_ref[ref])
        self.weighed.append(self.by_ref[ref])
        for parent in self.parents.get(ref, ()):
            self.reopen(parent)

    def reach(self, keys: set[str] | frozenset[str]) -> None:
        self.reached |= keys
        for key in keys:
            if (ref := self.holder.get(key)) is not None:
                self.reopen(ref)

    def reopen_shared_ines(self) -> None:
        """Élèves wearing one INE are held and weighed (plan/matching.py)."""
        wearers: dict[str, list[str]] = defaultdict(list)
        for person in self.by_ref.values():
            if person.kind is PersonKind.ELEVE:
                for ine in {s.value for s in person.source_ids if s.scheme in INE_SCHEMES}:
                    wearers[ine].append(person.ref)
        for refs in wearers.values():
            if len(refs) > 1:
                for ref in refs:
                    self.reopen(ref)

    def reopen_unsettled(self) -> None:
        """A responsable is settled only with all their children settled."""
        for person in list(self.by_ref.values()):
            if person.ref in self.settled and not person.children <= self.settled.keys():
                self.reopen(person.ref)

    def run(self) -> None:
        while self.queue:
            batch, self.queue = self.queue, []
            self.reach(self.search.candidates(batch))


class _Search:
    """Candidates, a superset of plan/matching.py's `Index.candidates` over the light rows."""

    def __init__(self, light: Sequence[Light], by_ids: ById):
        self.light, self.by_ids = light, by_ids
        self.by_birth: dict[date, set[str]] = defaultdict(set)
        for row in light:
            if row.birth_date is not None:
                self.by_birth[row.birth_date].add(row.key)
        self._by_names: dict[tuple[str, str], set[str]] | None = None

    def candidates(self, people: Sequence[DesiredPerson]) -> set[str]:
        found = self.by_ids({(family(s.scheme), s.value) for p in people for s in p.source_ids})
        for person in people:
            if person.identity.birth_date is not None:
                found |= self.by_birth.get(person.identity.birth_date, set())
            if person.kind is not PersonKind.ELEVE:
                found |= self._names(person)
        return found

    def _names(self, person: DesiredPerson) -> set[str]:
        by_names = self._names_index()
        identity = person.identity
        first = fold_name(identity.first_name)
        found: set[str] = set()
        for last in {identity.last_name, identity.birth_name or identity.last_name}:
            found |= by_names.get((fold_name(last), first), set())
        return found

    def _names_index(self) -> Mapping[tuple[str, str], set[str]]:
        """Built at the first person weighed by names: folding every name has a cost."""
        if self._by_names is None:
            self._by_names = defaultdict(set)
            for row in self.light:
                if row.kind == PersonKind.ELEVE.value:
                    continue  # élèves are never found by their names alone
                first = fold_name(row.first_name)
                for last in {row.last_name, row.birth_name or row.last_name}:
                    self._by_names[(fold_name(last), first)].add(row.key)
        return self._by_names


def reach_for(snapshot: Snapshot, prepared: Prepared, basis: Basis) -> Reach:
    """`reached_keys` of this campaign and basis, for the store's loader."""
    return lambda light, by_ids, hand_held: reached_keys(snapshot, prepared, basis, light,
                                                         hand_held, by_ids)
