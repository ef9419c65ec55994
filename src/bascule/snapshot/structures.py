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
    declaring: list[ExportFile], eleves_file: ExportFile, eleves: tuple[Eleve, ...],
    checker: Checker,
) -> Structures:
    structures = Structures()
    declared = {export.kind: _declare(export, structures, checker) for export in declaring}
    _add_used_by_eleves(declared, eleves_file, eleves, structures, checker)
    return structures


Declared = set[tuple[StructureKind, str]]


def _declare(export: ExportFile, structures: Structures, checker: Checker) -> Declared:
    """Merge the file's divisions and groups; a group's parents must be divisions of that file."""
    hint = FIX_IN_STS if export.kind is ExportKind.STS else FIX_IN_SIECLE
    declared: Declared = set()
    for record in export.structures:
        code = checker.code(record.code, record.location, "CODE", hint)
        kind = StructureKind(record.kind)
        if not code:
            continue
        if (kind, code) in declared:
            checker.error("code-double", f"{kind.label} « {code} » déclarée deux fois",
                          record.location, hint)
            continue
        declared.add((kind, code))
        if kind is StructureKind.DIVISION:
            _merge_division(structures, record, code)
    own_divisions = {code for kind, code in declared if kind is StructureKind.DIVISION}
    for record in export.structures:
        code = (record.code or "").strip()
        if record.kind == StructureKind.GROUPE.value and code:
            _merge_group(structures, record, code, own_divisions, hint, checker)
    return declared


def _merge_division(structures: Structures, record: StructureRecord, code: str) -> None:
    known = structures.divisions.get(code)
    structures.divisions[code] = Division(
        code=code,
        label=(record.label or "").strip() or (known.label if known else None),
        mefs=tuple(dict.fromkeys((known.mefs if known else ()) + record.mefs)),
    )


def _merge_group(
    structures: Structures,
    record: StructureRecord,
    code: str,
    own_divisions: set[str],
    hint: str,
    checker: Checker,
) -> None:
    parents = tuple(dict.fromkeys(parent.strip() for parent in record.parent_divisions))
    for parent in parents:
        if parent not in own_divisions:
            checker.error("ref-inconnue",
                          f"le groupe « {code} » dépend d'une division « {parent} » non déclarée",
                          record.location.at(field="DIVISION_APPARTENANCE"), hint)
    known = structures.groups.get(code)
    structures.groups[code] = Group(
        code=code,
        label=(record.label or "").strip() or (known.label if known else None),
        parent_divisions=tuple(dict.fromkeys((known.parent_divisions if known else ()) + parents)),
    )


_LINK_KINDS = {"D": StructureKind.DIVISION, "G": StructureKind.GROUPE}


def _first_lines(eleves_file: ExportFile) -> dict[tuple[StructureKind, str], int | None]:
    """Where each code is first used in the élèves export, to point the user at it."""
    lines: dict[tuple[StructureKind, str], int | None] = {}
    for block in eleves_file.structure_links:
        for link in block.links:
            kind = _LINK_KINDS.get(link.kind or "")
            if kind is not None and link.code:
                lines.setdefault((kind, link.code.strip()), link.line)
    return lines


def _is_undeclared(kind: StructureKind, code: str, declared: dict[ExportKind, Declared]) -> bool:
    """Whether _report_undeclared has something to say (the élèves file is then searched for
    the code's first line: only then)."""
    return any(source in declared and (kind, code) not in declared[source]
               for source in (ExportKind.STRUCTURES, ExportKind.STS))


def _add_used_by_eleves(
    declared: dict[ExportKind, Declared],
    eleves_file: ExportFile,
    eleves: tuple[Eleve, ...],
    structures: Structures,
    checker: Checker,
) -> None:
    """Codes the active élèves use: checked against Structures.xml (same system: an error) or
    STS-Web (another system: a warning), and kept as structures in every case."""
    lines: dict[tuple[StructureKind, str], int | None] | None = None
    for kind, codes in (
        (StructureKind.DIVISION, {e.division for e in eleves if e.active and e.division}),
        (StructureKind.GROUPE, {g for e in eleves if e.active for g in e.groups}),
    ):
        for code in sorted(codes):
            if _is_undeclared(kind, code, declared):
                lines = _first_lines(eleves_file) if lines is None else lines
                location = Location(file=eleves_file.name, line=lines.get((kind, code)),
                                    record=f"{kind.label} {code}")
                _report_undeclared(kind, code, location, declared, checker)
            known = structures.divisions if kind is StructureKind.DIVISION else structures.groups
            if code in known:
                continue
            if kind is StructureKind.DIVISION:
                structures.divisions[code] = Division(code=code, label=None, mefs=())
            else:
                structures.groups[code] = Group(code=code, label=None, parent_divisions=())


def _report_undeclared(
    kind: StructureKind,
    code: str,
    location: Location,
    declared: dict[ExportKind, Declared],
    checker: Checker,
) -> None:
    if ExportKind.STRUCTURES in declared and (kind, code) not in declared[ExportKind.STRUCTURES]:
        checker.error("structure-inconnue", f"{kind.label} « {code} » utilisée par des élèves mais "
                      "absente de Structures.xml", location, FIX_IN_SIECLE)
    elif ExportKind.STS in declared and (kind, code) not in declared[ExportKind.STS]:
        checker.warn("structure-hors-sts", f"{kind.label} « {code} » absente de STS-Web : aucun "
                     "enseignant n'y aura accès", location, _NOT_IN_STS)
