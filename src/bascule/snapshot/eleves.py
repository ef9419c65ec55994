"""Élèves: identity, names and dates checked, divisions and groups attached, activity decided."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import partial

from bascule.domain.people import PersonKind, parse_french_date, parse_sex, preferred_last_name
from bascule.domain.structures import INACTIVE_DIVISION
from bascule.errors import Location
from bascule.exports.records import EleveRecord, ExportFile, StructureLinkRecord
from bascule.snapshot.checks import FIX_IN_SIECLE, REEXPORT_TOGETHER, Checker, optional
from bascule.snapshot.holds import RecordScope
from bascule.snapshot.memo import BuildMemo, EleveInputs
from bascule.snapshot.model import Eleve, InactiveReason


def build_eleves(export: ExportFile, export_date: date, checker: Checker,
                 memo: BuildMemo | None = None) -> tuple[Eleve, ...]:
    """The usable élèves of the file; each one whose inputs are those of `memo`'s previous
    import is taken from there, the same problems reported again."""
    memo = memo if memo is not None else BuildMemo()
    records = _unique_eleves(export.eleves, checker)
    links = _links_by_eleve(export.structure_links, records, checker)
    subjects = _subjects_by_eleve(export, records, checker)
    eleves = []
    for eleve_id, record in records.items():
        inputs = EleveInputs(record=record, blocks=tuple(links.get(eleve_id, ())),
                             subjects=subjects.get(eleve_id, ()), export_date=export_date,
                             hold_records=checker.hold_records)
        eleve, usable = memo.eleve(inputs, checker, partial(_scope, record),
                                   partial(_built, inputs, checker))
        if eleve is not None and usable:
            eleves.append(eleve)
    for eleve in eleves:
        if eleve.inactive_reason is not None:
            checker.warn("eleve-inactif",
                         f"{eleve.last_name} {eleve.first_name} n'est pas actif : "
                         f"{eleve.inactive_reason.value}",
                         records[eleve.eleve_id].location,
                         "Il ne recevra ni compte ni groupe cette année. Si c'est une erreur, "
                         "affectez-le à une division dans Siècle-BEE.")
    return tuple(eleves)


def _built(inputs: EleveInputs, checker: Checker) -> Eleve | None:
    division, groups = _structures(inputs.record, inputs.blocks, checker)
    return _eleve(inputs.record, division, groups, inputs.subjects, inputs.export_date, checker)


def _scope(record: EleveRecord, *, link: bool = False) -> RecordScope:
    """An élève's record, named by its ELEVE_ID and by any INE it carries."""
    ines = (("ine", record.id_national), ("ine_rnie", record.ine_rnie),
            ("ine_bea", record.ine_bea))
    return RecordScope(kind=PersonKind.ELEVE, person_id=(record.eleve_id or "").strip(),
                       label=_label(record), link=link,
                       other_ids=tuple((scheme, ine) for scheme, value in ines
                                       if (ine := _ine(value))))


def _label(record: EleveRecord) -> str:
    name = preferred_last_name(record.nom_usage, record.nom_de_famille, record.nom)
    return f"{name} {(record.prenom or '').strip()}".strip() or record.record_label


def _link_scope(eleve_id: str) -> RecordScope:
    return RecordScope(kind=PersonKind.ELEVE, person_id=eleve_id, label=f"élève {eleve_id}",
                       link=True)


def _unique_eleves(records: list[EleveRecord], checker: Checker) -> dict[str, EleveRecord]:
    def key_of(record: EleveRecord) -> str | None:
        if eleve_id := (record.eleve_id or "").strip():
            return eleve_id  # what checker.identifier gives, without a scope made for nothing
        with checker.record(_scope(record)):
            return checker.identifier(record.eleve_id, record.location, "ELEVE_ID",
                                      FIX_IN_SIECLE) or None

    return checker.unique(records, key_of, lambda eleve_id: f"ELEVE_ID {eleve_id}",
                          lambda _r: FIX_IN_SIECLE, _scope)


def _links_by_eleve(
    blocks: list[StructureLinkRecord], records: dict[str, EleveRecord], checker: Checker
) -> dict[str, list[StructureLinkRecord]]:
    by_eleve: dict[str, list[StructureLinkRecord]] = defaultdict(list)
    for block in blocks:
        eleve_id = (block.eleve_id or "").strip()
        if eleve_id not in records:
            with checker.record(_link_scope(eleve_id)):
                checker.error("ref-inconnue", f"« {eleve_id} » ne correspond à aucun "
                              "élève", block.location.at(field="ELEVE_ID"), REEXPORT_TOGETHER)
            continue
        by_eleve[eleve_id].append(block)
    return by_eleve


def _subjects_by_eleve(
    export: ExportFile, records: dict[str, EleveRecord], checker: Checker
) -> dict[str, tuple[str, ...]]:
    subjects: dict[str, tuple[str, ...]] = {}
    for option in export.options:
        eleve_id = (option.eleve_id or "").strip()
        if eleve_id not in records:
            with checker.record(_link_scope(eleve_id)):
                checker.error("ref-inconnue", f"« {eleve_id} » ne correspond à aucun "
                              "élève", option.location.at(field="ELEVE_ID"), REEXPORT_TOGETHER)
            continue
        codes = subjects.get(eleve_id, ()) + tuple(c.strip() for c in option.subject_codes)
        subjects[eleve_id] = tuple(dict.fromkeys(codes))
    return subjects


def _structures(
    record: EleveRecord, blocks: tuple[StructureLinkRecord, ...], checker: Checker
) -> tuple[str | None, tuple[str, ...]]:
    divisions: list[str] = []
    groups: list[str] = []
    for block in blocks:
        for link in block.links:
            place = _LinkPlace(block, link.line)
            code = checker.code(link.code, place, "CODE_STRUCTURE", FIX_IN_SIECLE)
            kind = (link.kind or "").strip()
            if kind not in ("D", "G"):
                checker.error("type-structure", f"TYPE_STRUCTURE « {kind} » : attendu D ou G",
                              place.location.at(field="TYPE_STRUCTURE"), FIX_IN_SIECLE)
            elif code:
                (divisions if kind == "D" else groups).append(code)
    divisions = list(dict.fromkeys(divisions))
    real = [code for code in divisions if code != INACTIVE_DIVISION]
    if len(real) > 1:
        checker.error("divisions-multiples",
                      f"l'élève est dans plusieurs divisions ({', '.join(real)})",
                      record.location,
                      "Un élève appartient à une seule division : " + FIX_IN_SIECLE)
    division = real[0] if real else (INACTIVE_DIVISION if divisions else None)
    return division, tuple(dict.fromkeys(groups))


class _LinkPlace:
    """Where one STRUCTURE of a STRUCTURES_ELEVE stands: its Location is made only for a
    problem (an import reads tens of thousands of links and finds a handful of problems)."""

    __slots__ = ("_block", "_line")

    def __init__(self, block: StructureLinkRecord, line: int | None):
        self._block, self._line = block, line

    @property
    def location(self) -> Location:
        return self._block.location.at(line=self._line)


def _eleve(
    record: EleveRecord,
    division: str | None,
    groups: tuple[str, ...],
    subjects: tuple[str, ...],
    export_date: date,
    checker: Checker,
) -> Eleve | None:
    last_name, first_name, others = _names(record, checker)
    birth = checker.date(record.date_naiss, parse_french_date, record, "DATE_NAISS",
                         FIX_IN_SIECLE, required=True)
    entry = checker.date(record.date_entree, parse_french_date, record, "DATE_ENTREE",
                         FIX_IN_SIECLE, required=False)
    exit_ = checker.date(record.date_sortie, parse_french_date, record, "DATE_SORTIE",
                         FIX_IN_SIECLE, required=False)
    if not last_name or not first_name:
        return None
    return Eleve(
        eleve_id=(record.eleve_id or "").strip(),
        elenoet=optional(record.elenoet),
        id_eleve_etab=optional(record.id_eleve_etab),
        ine=_ine(record.id_national),
        ine_rnie=_ine(record.ine_rnie),
        ine_bea=_ine(record.ine_bea),
        last_name=last_name,
        birth_name=optional(record.nom_de_famille) or optional(record.nom),
        first_name=first_name,
        other_first_names=others,
        birth_date=birth,
        sex=parse_sex(record.code_sexe),
        mef=optional(record.code_mef),
        division=division if division != INACTIVE_DIVISION else None,
        groups=groups,
        subjects=subjects,
        entry_date=entry,
        exit_date=exit_,
        inactive_reason=_inactive_reason(exit_, division, export_date),
    )


def _names(record: EleveRecord, checker: Checker) -> tuple[str, str, tuple[str, ...]]:
    """Last name (usage, else family, else legacy NOM), first name, other first names."""
    name = preferred_last_name(record.nom_usage, record.nom_de_famille, record.nom)
    field_name = "NOM_USAGE" if optional(record.nom_usage) else "NOM_DE_FAMILLE"
    last_name = checker.name(name, record, field_name, FIX_IN_SIECLE, required=True)
    first_name = checker.name(record.prenom, record, "PRENOM", FIX_IN_SIECLE, required=True)
    others = tuple(
        checker.name(value, record, other_field, FIX_IN_SIECLE, required=False)
        for other_field, value in (("PRENOM2", record.prenom2), ("PRENOM3", record.prenom3))
        if optional(value)
    )
    return last_name, first_name, others


def _inactive_reason(
    exit_date: date | None, division: str | None, export_date: date
) -> InactiveReason | None:
    if exit_date is not None and exit_date <= export_date:
        return InactiveReason.LEFT
    if division is None:
        return InactiveReason.NO_DIVISION
    if division == INACTIVE_DIVISION:
        return InactiveReason.INACTIFS
    return None


def _ine(value: str | None) -> str | None:
    text = optional(value)
    return text.upper() if text else None

