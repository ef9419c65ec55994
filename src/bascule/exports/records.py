"""What the readers produce: the fields bascule keeps, as raw text, each record with its Location.

Readers only read; every rule (dates, names, activity, references) lives in the snapshot stage.
Fields that the rollover and its feeds do not need (addresses, phones, birthplaces, nationality,
regime, scholarship...) are never copied out of the XML: see "What bascule keeps" in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from bascule.errors import Location
from bascule.values import quick_init


class ExportKind(Enum):
    ELEVES = "BEE_ELEVES"
    RESPONSABLES = "BEE_RESPONSABLES"
    NOMENCLATURE = "BEE_NOMENCLATURES"
    STRUCTURES = "BEE_STRUCTURES"
    STS = "STS_EDT"
    LOCAL_PEOPLE = "personnes-locales"
    AAF = "ficAlimMENESR"

    @property
    def label(self) -> str:
        return _LABELS[self]


_STAFF_LABELS = {"csv": "personne locale"}
_LABELS = {
    ExportKind.ELEVES: "Siècle-BEE élèves",
    ExportKind.RESPONSABLES: "Siècle-BEE responsables",
    ExportKind.NOMENCLATURE: "Siècle-BEE nomenclatures",
    ExportKind.STRUCTURES: "Siècle-BEE structures",
    ExportKind.STS: "STS-Web emploi du temps",
    ExportKind.LOCAL_PEOPLE: "CSV des personnes locales",
    ExportKind.AAF: "AAF (annuaire académique)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Located:
    """A record's file and line; its Location (with a label for people) is built only when a
    problem is reported, which keeps reading cheap."""

    file: str
    line: int | None

    @property
    def record_label(self) -> str:
        raise NotImplementedError

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, record=self.record_label)


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """UAI and school year as the file states them (None when the file carries none: the CSV)."""

    uai: str | None
    school_year: str | None
    export_date: str | None
    location: Location
    uai_line: int | None = None
    year_line: int | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class EleveRecord(Located):
    eleve_id: str | None
    elenoet: str | None
    id_national: str | None
    ine_rnie: str | None
    ine_bea: str | None
    # ELENOET followed by the UAI that issued it (SE3's reading): tells a newcomer's ELENOET
    # from this school's numbering.
    id_eleve_etab: str | None = None
    nom_de_famille: str | None
    nom_usage: str | None
    nom: str | None
    prenom: str | None
    prenom2: str | None
    prenom3: str | None
    date_naiss: str | None
    code_sexe: str | None
    code_mef: str | None
    date_entree: str | None
    date_sortie: str | None

    @property
    def record_label(self) -> str:
        return f"élève {self.eleve_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class OptionRecord(Located):
    """Subjects an élève follows as options (OPTIONS/OPTION)."""

    eleve_id: str | None
    subject_codes: tuple[str, ...]

    @property
    def record_label(self) -> str:
        return f"options de l'élève {self.eleve_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StructureLink:
    """One STRUCTURE: a division (kind D) or group (kind G) code, and the line it stands on."""

    code: str | None
    kind: str | None
    line: int | None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StructureLinkRecord(Located):
    """A STRUCTURES_ELEVE block: the divisions and groups of one élève."""

    eleve_id: str | None
    links: tuple[StructureLink, ...]

    @property
    def record_label(self) -> str:
        return f"structures de l'élève {self.eleve_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class PersonneRecord(Located):
    personne_id: str | None
    nom_de_famille: str | None
    nom_usage: str | None
    nom: str | None
    prenom: str | None
    civilite: str | None
    mel: str | None

    @property
    def record_label(self) -> str:
        return f"responsable {self.personne_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class GuardianLinkRecord(Located):
    """RESPONSABLE_ELEVE: a person responsible for an élève, at some level."""

    eleve_id: str | None
    personne_id: str | None
    niveau: str | None
    resp_legal: str | None
    code_parente: str | None

    @property
    def record_label(self) -> str:
        return f"lien élève {self.eleve_id} / responsable {self.personne_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SubjectRecord(Located):
    code: str | None
    code_gestion: str | None
    short_label: str | None
    long_label: str | None

    @property
    def record_label(self) -> str:
        return f"matière {self.code}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MefRecord(Located):
    code: str | None
    label: str | None
    mefstat11: str | None

    @property
    def record_label(self) -> str:
        return f"MEF {self.code}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StaffRecord(Located):
    """An STS INDIVIDU, or a line of the local-people CSV (source_type "csv")."""

    staff_id: str | None
    source_type: str | None
    sexe: str | None
    civilite: str | None
    nom_usage: str | None
    nom_patronymique: str | None
    prenom: str | None
    date_naissance: str | None
    fonction: str | None
    disciplines: tuple[str, ...] = ()
    pp_divisions: tuple[str, ...] = ()
    pp_lines: tuple[int | None, ...] = ()  # the line of each PROF_PRINC, beside pp_divisions
    mel: str | None = None

    @property
    def record_label(self) -> str:
        return _STAFF_LABELS.get(self.source_type or "", "personnel") + f" {self.staff_id}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class StructureRecord(Located):
    """A division (kind "D") or a group (kind "G"), with a group's parent divisions."""

    code: str | None
    kind: str
    label: str | None
    parent_divisions: tuple[str, ...] = ()
    mefs: tuple[str, ...] = ()

    @property
    def record_label(self) -> str:
        return f"{'division' if self.kind == 'D' else 'groupe'} {self.code}"


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class TeacherRef:
    staff_id: str | None
    source_type: str | None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRecord(Located):
    """An STS SERVICE: a subject taught in a division or group, by these teachers."""

    structure_code: str | None
    structure_kind: str
    subject_code: str | None
    mod_cours: str | None
    teachers: tuple[TeacherRef, ...]

    @property
    def record_label(self) -> str:
        return f"service {self.subject_code} de {self.structure_code}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AafChange:
    """One modification of an AAF modifyRequest: replace, add or delete these values."""

    name: str
    operation: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AafRecord(Located):
    """One AAF request: add (the whole record), modify (changes) or delete (the id only).
    `attributes` holds only the attributes bascule uses, each with its values in order."""

    operation: str
    category: str | None
    identifier: str | None
    attributes: dict[str, tuple[str, ...]]
    changes: tuple[AafChange, ...] = ()

    @property
    def record_label(self) -> str:
        return f"{self.category or 'enregistrement'} {self.identifier}"

    def first(self, name: str) -> str | None:
        values = self.attributes.get(name)
        return values[0] if values else None


@dataclass(slots=True, kw_only=True)
class ExportFile:
    """Everything read from one file. Readers fill the lists that apply to their kind."""

    name: str
    sha256: str
    kind: ExportKind
    header: Header
    eleves: list[EleveRecord] = field(default_factory=list)
    options: list[OptionRecord] = field(default_factory=list)
    structure_links: list[StructureLinkRecord] = field(default_factory=list)
    personnes: list[PersonneRecord] = field(default_factory=list)
    guardian_links: list[GuardianLinkRecord] = field(default_factory=list)
    subjects: list[SubjectRecord] = field(default_factory=list)
    mefs: list[MefRecord] = field(default_factory=list)
    staff: list[StaffRecord] = field(default_factory=list)
    structures: list[StructureRecord] = field(default_factory=list)
    services: list[ServiceRecord] = field(default_factory=list)
    aaf: list[AafRecord] = field(default_factory=list)
    aaf_delivery: str | None = None  # "Complet" or "Delta", from the file name
    aaf_part: int | None = None  # the split number (_0000, _0001...)
    # Siècle-BEE élèves and responsables files only: the file as given (a zip's own bytes, else
    # its XML compressed by zlib), for the next import to tell its changed records apart
    # (exports/chunks.py); split at its records only then, not at this read.
    given: bytes | None = None

    @property
    def record_count(self) -> int:
        """Records of every kind read from the file: what an import's budget counts."""
        return sum(len(records) for records in (
            self.eleves, self.options, self.structure_links, self.personnes,
            self.guardian_links, self.subjects, self.mefs, self.staff, self.structures,
            self.services, self.aaf))
