"""The campaign's people as the plan wants them, each built only when asked (issue 22). Pure.

A plan proportional to the change reads of a person whose record did not change only their
ref, kind, digest, INEs and children (plan/proportional.py): `prepare` gives those for everyone
from the inputs `desired_people` builds its people from (plan/desired.py `people_inputs`), and
`Prepared.person` builds the desired person of the few that are weighed or acted on (a moved
élève, planned from their account). The full path builds
everyone (`Prepared.desired`), the same people `desired_people` gives.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from bascule.plan.desired import (
    MATCHED,
    DesiredPerson,
    EleveInputs,
    Inputs,
    ResponsableInputs,
    build,
    inputs_and_present,
)
from bascule.plan.model import PersonKind
from bascule.snapshot.model import Snapshot

_KINDS = {"eleve": PersonKind.ELEVE, "staff": PersonKind.STAFF,
          "responsable": PersonKind.RESPONSABLE}


def person_digest(inputs: Inputs) -> str:
    """A short stable digest (hex, 32 characters) of what a desired person is built from (the
    ref among it): two equal digests of one ref, one desired person. Its first half digests
    what plan/matching.py reads (`MATCHED`: two equal halves, the same matching), its second
    the rest. `repr` of strings, dates, None and tuples of strings: it does not depend on the
    process's hashing."""
    return _halves_digest(inputs, MATCHED[_KINDS[inputs[0][:inputs[0].index(":")]]])


def _halves_digest(inputs: Inputs, cut: int) -> str:
    """`person_digest` of inputs whose matched half ends at `cut`."""
    blake2b = hashlib.blake2b
    return (blake2b(repr(inputs[:cut]).encode(), digest_size=8).hexdigest()
            + blake2b(repr(inputs[cut:]).encode(), digest_size=8).hexdigest())


def matched_part(digest: str) -> str:
    """The half of a `person_digest` that digests what the matching reads."""
    return digest[:16]


@dataclass(slots=True)
class Prepared:
    """The campaign's people on the plan's day: their inputs (`people_inputs`, in
    `desired_people`'s order) and digests, computed once; a desired person built when asked.
    `present`: the ELEVE_IDs that make responsables' children (`inputs_and_present`);
    `known`: ref -> the digest of their inputs, for people whose inputs are known to be those
    of an earlier plan's basis (plan/proportional.py `chained_digests`): not computed again.
    """

    uai: str
    listed: list[Inputs]
    present: frozenset[str] | None = None
    known: Mapping[str, str] = field(default_factory=dict)
    inputs: dict[str, Inputs] = field(init=False)  # by ref
    digests: dict[str, str] = field(init=False)  # ref -> person_digest
    # The refs of the élèves wearing an INE that another élève wears too
    sharing: frozenset[str] = field(init=False)
    kinds: dict[str, PersonKind] = field(init=False)  # by ref
    responsables: list[str] = field(init=False)  # their refs
    # The last basis compared with (plan/proportional.py `against`), and what it found.
    against: tuple[object, object] | None = field(init=False, default=None)
    _built: dict[str, DesiredPerson] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.inputs = {person[0]: person for person in self.listed}
        self.kinds = {ref: _KINDS[ref[:ref.index(":")]] for ref in self.inputs}
        self.responsables = [ref for ref, kind in self.kinds.items()
                             if kind is PersonKind.RESPONSABLE]
        known = self.known if self.distinct else {}
        self.digests = {  # person_digest, the kind already known
            ref: known.get(ref) or _halves_digest(person, MATCHED[kind])
            for (ref, person), kind in zip(self.inputs.items(), self.kinds.values(), strict=True)}
        wearers: dict[str, list[str]] = defaultdict(list)
        for ref, person in self.inputs.items():
            if ref.startswith("eleve:"):
                for ine in {value for value in cast(EleveInputs, person)[1:4] if value}:
                    wearers[ine].append(ref)
        self.sharing = frozenset(ref for refs in wearers.values() if len(refs) > 1
                                 for ref in refs)

    @property
    def distinct(self) -> bool:
        """No ref repeated (the snapshot's checks see to it); else the full path."""
        return len(self.inputs) == len(self.listed)

    @property
    def chained(self) -> int:
        """How many digests were taken from `known` rather than computed."""
        return len(self.known.keys() & self.inputs.keys()) if self.distinct else 0

    @property
    def refs(self) -> Collection[str]:
        return self.inputs.keys()

    @property
    def desired(self) -> list[DesiredPerson]:
        """Everyone, as `desired_people`."""
        if not self.distinct:
            return [build(inputs, self.uai) for inputs in self.listed]
        return [self.person(ref) for ref in self.inputs]

    @property
    def built(self) -> int:
        """How many desired people were built so far (the full path: everyone)."""
        return len(self._built)

    def person(self, ref: str) -> DesiredPerson:
        built = self._built.get(ref)
        if built is None:
            built = self._built[ref] = build(self.inputs[ref], self.uai)
        return built

    def people(self, refs: Iterable[str]) -> list[DesiredPerson]:
        return [self.person(ref) for ref in refs]

    def children(self, ref: str) -> tuple[str, ...]:
        """The refs of a responsable's children (none for others), as their record has them."""
        if not ref.startswith("responsable:"):
            return ()
        return cast(ResponsableInputs, self.inputs[ref])[6]


def prepare_people(snapshot: Snapshot, today: date | None,
                   known: Callable[[frozenset[str]], Mapping[str, str]] | None = None
                   ) -> Prepared:
    """The campaign's people present on `today` (`desired_people`), prepared; `known(present)`
    gives the digests known already (`Prepared.known`), from the ELEVE_IDs `present`."""
    listed, present = inputs_and_present(snapshot, today)
    return Prepared(snapshot.uai, listed, present, known(present) if known else {})
