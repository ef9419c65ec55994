"""The Snapshot: one school's campaign as the exports describe it, validated and normalised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from bascule.domain.people import (
    GuardianLevel,
    PersonKind,
    Profile,
    Sex,
    StaffCategory,
    staff_category,
)
from bascule.domain.school import SchoolYear
from bascule.domain.structures import StructureKind
from bascule.errors import Location
from bascule.values import quick_init


class InactiveReason(Enum):
    LEFT = "sorti (DATE_SORTIE passée)"
    NO_DIVISION = "sans division (pas de structure D)"
    INACTIFS = "seulement dans « Inactifs »"


class StaffSource(Enum):
    EPP = "epp"  # national staff database, stable across years
    LOCAL = "local"  # created in STS by the school (a substitute)
    CSV = "csv"  # the local-people CSV
    AAF = "aaf"  # the académie's AAF feed: its jointure (ENTPersonJointure)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    name: str
    kind: str
    sha256: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Eleve:
    eleve_id: str
    elenoet: str | None
    ine: str | None
    ine_rnie: str | None
    ine_bea: str | None
    last_name: str
    birth_name: str | None
    first_name: str
    other_first_names: tuple[str, ...]
    birth_date: date | None  # None only when Siècle's was missing or impossible (a held fault)
    sex: Sex | None
    mef: str | None
    division: str | None
    groups: tuple[str, ...]
    subjects: tuple[str, ...]
    entry_date: date | None
    exit_date: date | None
    inactive_reason: InactiveReason | None
    aaf_jointure: str | None = None  # ENTPersonJointure, when read from the AAF
    id_eleve_etab: str | None = None  # ID_ELEVE_ETAB: whose numbering the ELENOET is

    @property
    def active(self) -> bool:
        return self.inactive_reason is None

    @property
    def any_ine(self) -> str | None:
        return self.ine or self.ine_rnie or self.ine_bea


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Responsable:
    personne_id: str
    last_name: str
    birth_name: str | None
    first_name: str
    civility: str | None
    email: str | None  # kept for the ENT account and its recovery (AAF `mail`)
    aaf_jointure: str | None = None  # ENTPersonJointure, when read from the AAF


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Guardianship:
    eleve_id: str
    personne_id: str
    level: GuardianLevel
    parente: str | None

    @property
    def is_legal(self) -> bool:
        return self.level is GuardianLevel.LEGAL


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class StaffKey:
    """STS identifies staff by ID and TYPE together; the CSV by its own identifiant."""

    source: str
    staff_id: str

    def __str__(self) -> str:
        return f"{self.source}:{self.staff_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    key: StaffKey
    last_name: str
    birth_name: str | None
    first_name: str
    birth_date: date | None
    sex: Sex | None
    civility: str | None
    function: str  # the national code as STS-Web gives it; "" when it gives none
    disciplines: tuple[str, ...]
    email: str | None
    teaches: bool = False  # holds a service in STS-Web: a teacher, whatever the function

    @property
    def category(self) -> StaffCategory:
        return StaffCategory.ENSEIGNANT if self.teaches else staff_category(self.function)

    @property
    def profile(self) -> Profile:
        if self.category is StaffCategory.ENSEIGNANT:
            return Profile.ENSEIGNANT
        return Profile.PERSONNEL

    @property
    def category_label(self) -> str:
        return self.category.value


@dataclass(frozen=True, slots=True, kw_only=True)
class Division:
    code: str
    label: str | None
    mefs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    code: str
    label: str | None
    parent_divisions: tuple[str, ...]


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A teacher teaches a subject in a division or a group."""

    teacher: StaffKey
    structure_code: str
    structure_kind: StructureKind
    subject_code: str
    mod_cours: str | None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ProfPrincipal:
    teacher: StaffKey
    division: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    code: str
    code_gestion: str | None
    short_label: str | None
    long_label: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mef:
    code: str
    label: str | None


class Treatment(Enum):
    """What a fault confined to one record does (the table is snapshot/holds.py)."""

    HOLD = "retenue"  # a known person is kept as is; a new one is not created
    WITHOUT_FIELD = "sans le champ"  # known: kept as is; new: created without the faulty field
    SET_ASIDE = "écartée"  # a link (PP, service, guardianship, structure) is not applied; the
    # person it names is never taken for a leaver


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldRecord:
    """A record of the export set aside for a fault confined to it, with where and what to fix.

    `person_id` is the record's own id (ELEVE_ID, PERSONNE_ID, or the staff key "epp:8949"),
    empty when the record has none; `other_ids` are (scheme, value) pairs that can still tell
    who it is (an INE: ("ine", "1234567890A")).
    """

    kind: PersonKind
    person_id: str
    other_ids: tuple[tuple[str, str], ...]
    label: str
    treatment: Treatment
    reason: str
    hint: str
    location: Location
    field: str | None = None  # the faulty field, left out of a new person (WITHOUT_FIELD)

    @property
    def ref(self) -> str:
        """The snapshot's ref of the person, as plan/desired.py spells it."""
        return f"{self.kind.value}:{self.person_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """One campaign of one school. `sources` says which exports it was built from: a profile whose
    export was not given is not described here, and must not be read as "everybody left"."""

    uai: str
    school_year: SchoolYear
    export_date: date | None
    sources: tuple[SourceFile, ...]
    eleves: tuple[Eleve, ...]
    responsables: tuple[Responsable, ...]
    guardianships: tuple[Guardianship, ...]
    staff: tuple[Staff, ...]
    divisions: tuple[Division, ...]
    groups: tuple[Group, ...]
    services: tuple[Service, ...]
    profs_principaux: tuple[ProfPrincipal, ...]
    subjects: tuple[Subject, ...]
    mefs: tuple[Mef, ...]
    # Records set aside for a fault confined to them: their people are left as they are.
    held: tuple[HeldRecord, ...] = ()

    @property
    def active_eleves(self) -> tuple[Eleve, ...]:
        return tuple(eleve for eleve in self.eleves if eleve.active)

    def has_source(self, kind: str) -> bool:
        """Whether an export of this kind (or the AAF files standing for it) was given."""
        kinds = {kind, AAF_EQUIVALENT.get(kind)}
        return any(source.kind in kinds for source in self.sources)

    @property
    def from_aaf(self) -> bool:
        return any(source.kind.startswith(AAF_ROOT) for source in self.sources)


AAF_ROOT = "ficAlimMENESR"
# The AAF files (kind "ficAlimMENESR/<category>") that describe what a raw export describes.
AAF_EQUIVALENT = {"BEE_ELEVES": f"{AAF_ROOT}/Eleve", "BEE_RESPONSABLES": f"{AAF_ROOT}/PersRelEleve",
                  "STS_EDT": f"{AAF_ROOT}/PersEducNat"}
