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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bascule.plan.desired import INE_SCHEMES, DesiredPerson, id_family
from bascule.plan.evidence import NameKey, fold_name, namesake_keys
from bascule.plan.held import id_values
from bascule.plan.model import PersonKind
from bascule.plan.prepared import Prepared
from bascule.plan.proportional import Basis, against, facts_settled
from bascule.snapshot.model import Snapshot

# The school's people as the store lists them in one light query: key -> the profile of their
# active account, or None (no account, or not active).
Light = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the store looks up among the school's people, by its indexes; each gives keys."""

    by_ids: Callable[[set[tuple[str, str]]], set[str]]  # holding one (scheme family, value)
    by_birth: Callable[[set[date]], set[str]]  # born on one of these days
    # (key, last name, birth name, first name) of every staff member and responsable
    names: Callable[[], Iterable[tuple[str, str, str | None, str]]]


# What the store asks, given its light rows, its lookups and the keys or refs of the holds put
# by hand: the people to load in full.
Reach = Callable[[Light, Lookups, frozenset[str]], "Reached"]


@dataclass(frozen=True, slots=True)
class Reached:
    keys: set[str]  # to load in full
    ines: frozenset[str]  # of the élèves weighed: looked up in the folder's other schools
    # `namesake_keys` of the élèves weighed with no INE: looked up there too
    namesakes: frozenset[NameKey] = frozenset()
    # Keys not reached whose facts the plan neither desires nor compares: their facts need not
    # be loaded (`facts_settled` of the walk's settled, a subset of the plan's own).
    facts_left_out: frozenset[str] = frozenset()


def reached_keys(snapshot: Snapshot, prepared: Prepared, basis: Basis, light: Light,
                 lookups: Lookups, hand_held: frozenset[str]) -> Reached:
    """The keys of the school's people a plan with this basis may read beyond key and status
    (`hand_held`: the keys or refs of the holds put by hand): everyone else is settled on an
    active account by an unchanged record."""
    walk = _Walk(prepared, basis, light, lookups)
    walk.reach(hand_held | lookups.by_ids({pair for record in snapshot.held
                                           for pair in id_values(record)}))
    for ref in [*(record.ref for record in snapshot.held), *sorted(hand_held)]:
        walk.reopen(ref)  # set aside: their account is not present, and may be disabled
    walk.reopen_shared_ines()
    walk.reopen_unsettled()
    walk.run()
    absent = {key for key, profile in light.items()
              if profile is not None and key not in walk.holder}
    weighed = walk.prepared.people(walk.weighed)
    ines = frozenset(s.value for person in weighed
                     for s in person.source_ids if s.scheme in INE_SCHEMES)
    namesakes = frozenset(key for person in weighed if person.kind is PersonKind.ELEVE
                          and not any(s.scheme in INE_SCHEMES for s in person.source_ids)
                          for key in namesake_keys(
                              person.identity.last_name, person.identity.birth_name,
                              person.identity.first_name, person.identity.birth_date))
    reached = walk.reached | absent
    # The walk settles fewer people than the plan does (it reopens more widely), and
    # `facts_settled` of fewer settled is fewer: these are among the plan's own.
    left_out = facts_settled(walk.prepared, basis, walk.settled) - reached
    return Reached(keys=reached, ines=ines, namesakes=namesakes,
                   facts_left_out=frozenset(left_out))


class _Walk:
    """The settled refs of the basis, reopened as plan/proportional.py's `settle` would, or
    more widely; only the people weighed are built."""

    def __init__(self, prepared: Prepared, basis: Basis, light: Light, lookups: Lookups):
        self.prepared = prepared
        compared = against(prepared, basis)
        self.settled = {  # ref -> key
            ref: key for ref, key in compared.matched.items()
            if light.get(key) is not None} if prepared.distinct else {}
        self.holder = {key: ref for ref, key in self.settled.items()}
        # Matched as before but planned anew (a move): loaded in full, not searched for.
        self.reached: set[str] = {self.settled[ref] for ref in compared.acted
                                  if ref in self.settled}
        self.parents: dict[str, list[str]] = defaultdict(list)
        for ref in prepared.responsables:
            for child in prepared.children(ref):
                self.parents[child].append(ref)
        self.queue = [ref for ref in prepared.refs if ref not in self.settled]
        self.weighed = list(self.queue)
        self.search = _Search(lookups)

    def reopen(self, ref: str) -> None:
        """Weigh `ref` after all, and the responsables it is a child of."""
        key = self.settled.pop(ref, None)
        if key is None:
            return
        del self.holder[key]
        self.queue.append(ref)
        self.weighed.append(ref)
        for parent in self.parents.get(ref, ()):
            self.reopen(parent)

    def reach(self, keys: set[str] | frozenset[str]) -> None:
        self.reached |= keys
        for key in keys:
            if (ref := self.holder.get(key)) is not None:
                self.reopen(ref)

    def reopen_shared_ines(self) -> None:
        """Élèves wearing one INE are held and weighed (plan/matching.py)."""
        for ref in sorted(self.prepared.sharing):
            self.reopen(ref)

    def reopen_unsettled(self) -> None:
        """A responsable is settled only with all their children settled."""
        for child, parents in list(self.parents.items()):
            if child not in self.settled:
                for parent in parents:
                    self.reopen(parent)

    def run(self) -> None:
        while self.queue:
            batch, self.queue = self.queue, []
            self.reach(self.search.candidates(self.prepared.people(batch)))


class _Search:
    """Candidates: a superset of plan/matching.py's `Index.candidates` (any kind; for a name
    and a birth date, anyone born that day)."""

    def __init__(self, lookups: Lookups):
        self.lookups = lookups
        self._by_names: dict[tuple[str, str], set[str]] | None = None

    def candidates(self, people: Sequence[DesiredPerson]) -> set[str]:
        found = self.lookups.by_ids({(id_family(s.scheme), s.value)
                                     for p in people for s in p.source_ids})
        days = {p.identity.birth_date for p in people if p.identity.birth_date is not None}
        if days:
            found |= self.lookups.by_birth(days)
        for person in people:
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
        """Built at the first person weighed by names (élèves never are): folding every name
        has a cost."""
        if self._by_names is None:
            self._by_names = defaultdict(set)
            for key, last_name, birth_name, first_name in self.lookups.names():
                first = fold_name(first_name)
                for last in {last_name, birth_name or last_name}:
                    self._by_names[(fold_name(last), first)].add(key)
        return self._by_names


def reach_for(snapshot: Snapshot, prepared: Prepared, basis: Basis) -> Reach:
    """`reached_keys` of this campaign and basis, for the store's loader."""
    return lambda light, lookups, hand_held: reached_keys(snapshot, prepared, basis, light,
                                                          lookups, hand_held)
