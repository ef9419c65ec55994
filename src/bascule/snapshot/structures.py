"""Divisions and groups: declared by STS-Web and Structures.xml, used by Siècle's élèves.

Codes are the join keys between Siècle and STS and are kept verbatim. A reference inside one
system (a group's parent division in STS) must resolve: an error. A code Siècle uses that STS
does not know is a warning: the school can import its élèves before STS is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bascule.domain.structures import StructureKind
from bascule.errors import Location
from bascule.exports.records import ExportFile, ExportKind, StructureRecord
from bascule.snapshot.checks import FIX_IN_SIECLE, FIX_IN_STS, Checker
from bascule.snapshot.model import Division, Eleve, Group

_NOT_IN_STS = (
    "Préparez les structures (divisions et groupes) dans STS-Web, importez l'emploi du temps, "
    "puis refaites l'export STS-Web."
)


@dataclass(slots=True)
class Structures:
    divisions: dict[str, Division] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)


def build_structures(
    declaring: list[ExportFile], eleves_file: str, eleves: tuple[Eleve, ...], checker: Checker
) -> Structures:
    structures = Structures()
    for export in declaring:
        _declare(export, structures, checker)
    declared_by = {export.kind for export in declaring}
    _add_used_by_eleves(declared_by, eleves_file, eleves, structures, checker)
    return structures


def _declare(export: ExportFile, structures: Structures, checker: Checker) -> None:
    hint = FIX_IN_STS if export.kind is ExportKind.STS else FIX_IN_SIECLE
    seen: set[tuple[str, str]] = set()
    for record in export.structures:
        code = checker.code(record.code, record.location, "CODE", hint)
        if not code:
            continue
        if (record.kind, code) in seen:
            checker.error("code-double", f"{StructureKind(record.kind).label} « {code} » déclarée "
                          "deux fois", record.location, hint)
            continue
        seen.add((record.kind, code))
        if record.kind == StructureKind.DIVISION.value:
            _merge_division(structures, record, code)
    for record in export.structures:
        code = (record.code or "").strip()
        if record.kind == StructureKind.GROUPE.value and code:
            _merge_group(structures, record, code, hint, checker)


def _merge_division(structures: Structures, record: StructureRecord, code: str) -> None:
    known = structures.divisions.get(code)
    structures.divisions[code] = Division(
        code=code,
        label=(record.label or "").strip() or (known.label if known else None),
        mefs=tuple(dict.fromkeys((known.mefs if known else ()) + record.mefs)),
    )


def _merge_group(
    structures: Structures, record: StructureRecord, code: str, hint: str, checker: Checker
) -> None:
    parents = tuple(dict.fromkeys(parent.strip() for parent in record.parent_divisions))
    for parent in parents:
        if parent not in structures.divisions:
            checker.error("ref-inconnue",
                          f"le groupe « {code} » dépend d'une division « {parent} » non déclarée",
                          record.location.at(field="DIVISION_APPARTENANCE"), hint)
    known = structures.groups.get(code)
    structures.groups[code] = Group(
        code=code,
        label=(record.label or "").strip() or (known.label if known else None),
        parent_divisions=tuple(dict.fromkeys((known.parent_divisions if known else ()) + parents)),
    )


def _add_used_by_eleves(
    declared_by: set[ExportKind],
    eleves_file: str,
    eleves: tuple[Eleve, ...],
    structures: Structures,
    checker: Checker,
) -> None:
    for kind, codes in (
        (StructureKind.DIVISION, {e.division for e in eleves if e.active and e.division}),
        (StructureKind.GROUPE, {g for e in eleves if e.active for g in e.groups}),
    ):
        known = structures.divisions if kind is StructureKind.DIVISION else structures.groups
        for code in sorted(codes - set(known)):
            location = Location(file=eleves_file, record=f"{kind.label} {code}")
            _report_undeclared(kind, code, location, declared_by, checker)
            if kind is StructureKind.DIVISION:
                structures.divisions[code] = Division(code=code, label=None, mefs=())
            else:
                structures.groups[code] = Group(code=code, label=None, parent_divisions=())


def _report_undeclared(
    kind: StructureKind,
    code: str,
    location: Location,
    declared_by: set[ExportKind],
    checker: Checker,
) -> None:
    if ExportKind.STRUCTURES in declared_by:
        checker.error("structure-inconnue", f"{kind.label} « {code} » utilisée par des élèves mais "
                      "absente de Structures.xml", location, FIX_IN_SIECLE)
    elif ExportKind.STS in declared_by:
        checker.warn("structure-hors-sts", f"{kind.label} « {code} » absente de STS-Web : aucun "
                     "enseignant n'y aura accès", location, _NOT_IN_STS)
