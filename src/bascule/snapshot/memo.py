"""What one import's build kept for the next: each élève's record and result, the responsables'
whole result, so that a re-import builds again only what changed (issue 22: work proportional
to the change).

A part is reused only when every input it was built from is equal (the records themselves,
file and line included, the links and options of the élève, the export date, whether faults
hold records or refuse the import): then building it again would give the very same values and
report the very same problems, which are replayed in their place. Anything else is built as a
full import builds it. Pure: what is kept is stored and read back by the store (store/kept.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from bascule.errors import Problem
from bascule.exports.records import EleveRecord, StructureLinkRecord
from bascule.snapshot.checks import Checker
from bascule.snapshot.holds import RecordScope, usable
from bascule.snapshot.model import Eleve, Guardianship, HeldRecord, Responsable, Treatment
from bascule.values import quick_init

T = TypeVar("T")


@quick_init
@dataclass(frozen=True, slots=True)
class Effects:
    """What building a part reported: its problems, held records and the faults of its record,
    in order."""

    problems: tuple[Problem, ...] = ()
    held: tuple[HeldRecord, ...] = ()
    faults: tuple[Treatment, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class EleveInputs:
    """What one élève is built from."""

    record: EleveRecord
    blocks: tuple[StructureLinkRecord, ...]  # its STRUCTURES_ELEVE
    subjects: tuple[str, ...]  # its options' subjects
    export_date: date
    hold_records: bool


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class EleveUnit:
    """One élève as built: the fingerprint of its inputs, its result (None: not usable) and
    what it reported."""

    eleve_id: str  # the record's ELEVE_ID as it stands
    inputs: bytes
    eleve: Eleve | None
    effects: Effects


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponsablesPart:
    """The responsables and guardianships of one ResponsablesAvecAdresses file (named by its
    name and SHA-256), built against these ELEVE_IDs."""

    file: str
    sha256: str
    eleve_ids: frozenset[str]
    hold_records: bool
    responsables: tuple[Responsable, ...]
    guardianships: tuple[Guardianship, ...]
    effects: Effects


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    """What a staged campaign's build took again from the build of the staged campaign
    `previous` (its content hash): the élèves of `eleves` (their ELEVE_IDs) are that
    campaign's very Eleve values, and with `responsables` its responsables and guardianships
    are too (the part was taken again, snapshot/memo.py). Read by the plan: a person whose
    inputs are a function of those alone has the digest the plan of `previous` gave them
    (plan/proportional.py `chained_digests`)."""

    previous: str
    eleves: frozenset[str]
    responsables: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptBuild:
    eleves: tuple[EleveUnit, ...] = ()
    responsables: ResponsablesPart | None = None


class PreviousBuild(Protocol):
    """The previous import's parts as the store reads them back (store/kept.py), each one
    only when it is asked for."""

    def unit(self, eleve_id: str, inputs: bytes) -> EleveUnit | None:
        """The élève of this ELEVE_ID built from inputs of this fingerprint, if there was one."""

    def responsables(self) -> ResponsablesPart | None:
        """The responsables' part, if there was one."""


# Bytes that only equal inputs give (a cryptographic digest of their every field): what the
# store supplies (store/kept.py), the pure core having no encoder of its own.
Fingerprint = Callable[[EleveInputs], bytes]


@dataclass(slots=True)
class BuildMemo:
    """The previous import's parts (`previous`, possibly none) and this one's, as they are
    built (`kept`). Without a `fingerprint`, everything is built and nothing kept."""

    previous: PreviousBuild | None = None
    fingerprint: Fingerprint | None = None
    eleves: list[EleveUnit] = field(default_factory=list)
    responsables: ResponsablesPart | None = None
    # The ELEVE_IDs of the élèves taken again from `previous` (Eleve.eleve_id), and whether
    # its responsables part was: what `chain` records.
    taken: list[str] = field(default_factory=list)
    responsables_taken: bool = False

    @property
    def kept(self) -> KeptBuild:
        return KeptBuild(eleves=tuple(self.eleves), responsables=self.responsables)

    def chain(self, previous: str) -> Chain:
        """What this build took again from `previous`'s build: `previous`, the content hash
        of the staged campaign whose kept parts `self.previous` are (store/kept.py)."""
        return Chain(previous=previous, eleves=frozenset(self.taken),
                     responsables=self.responsables_taken)

    def eleve(self, inputs: EleveInputs, checker: Checker,
              scope_of: Callable[[], RecordScope],
              build: Callable[[], Eleve | None]) -> tuple[Eleve | None, bool]:
        """The élève and whether its record is usable: the previous import's when its inputs
        are the same (its problems reported again), else built within its record's scope."""
        if self.fingerprint is None:
            with checker.record(scope_of()) as scope:
                eleve = build()
            return eleve, scope.usable
        eleve_id, digest = inputs.record.eleve_id or "", self.fingerprint(inputs)
        known = self.previous.unit(eleve_id, digest) if self.previous is not None else None
        if known is not None and known.inputs == digest:
            replay(checker, known.effects)
            self.eleves.append(known)
            taken = usable(known.effects.faults)
            if known.eleve is not None and taken:
                self.taken.append(known.eleve.eleve_id)
            return known.eleve, taken
        with checker.record(scope_of()) as scope:
            eleve, effects = reported(checker, scope, build)
        self.eleves.append(EleveUnit(eleve_id=eleve_id, inputs=digest, eleve=eleve,
                                     effects=effects))
        return eleve, scope.usable

    def kept_responsables(self, file: str, sha256: str, eleve_ids: set[str] | frozenset[str],
                          hold_records: bool) -> ResponsablesPart | None:
        """The previous import's responsables part, if it was built from these very inputs
        (the file by its name and SHA-256, the ELEVE_IDs its links are checked against, how
        faults are treated): then it is taken again, and the file's records are not read."""
        if self.fingerprint is None or self.previous is None:
            return None
        known = self.previous.responsables()
        if (known is not None and known.file == file and known.sha256 == sha256
                and known.hold_records == hold_records and known.eleve_ids == eleve_ids):
            return known
        return None

    def responsables_of(
        self, file: str, sha256: str, eleve_ids: set[str], checker: Checker,
        build: Callable[[], tuple[tuple[Responsable, ...], tuple[Guardianship, ...]]],
    ) -> tuple[tuple[Responsable, ...], tuple[Guardianship, ...]]:
        if self.fingerprint is None:
            return build()
        known = self.kept_responsables(file, sha256, eleve_ids, checker.hold_records)
        if known is not None:
            replay(checker, known.effects)
            self.responsables = known
            self.responsables_taken = True
            return known.responsables, known.guardianships
        (responsables, guardianships), effects = reported(checker, None, build)
        self.responsables = ResponsablesPart(
            file=file, sha256=sha256, eleve_ids=frozenset(eleve_ids),
            hold_records=checker.hold_records, responsables=responsables,
            guardianships=guardianships, effects=effects)
        return responsables, guardianships


def reported(checker: Checker, scope: RecordScope | None,
             build: Callable[[], T]) -> tuple[T, Effects]:
    """`build`'s result and what it reported to `checker` (and to `scope`) meanwhile."""
    problems, held = len(checker.problems), len(checker.held)
    faults = len(scope.faults) if scope is not None else 0
    value = build()
    return value, Effects(tuple(checker.problems[problems:]), tuple(checker.held[held:]),
                          tuple(scope.faults[faults:]) if scope is not None else ())


def replay(checker: Checker, effects: Effects) -> None:
    checker.problems.extend(effects.problems)
    checker.held.extend(effects.held)



