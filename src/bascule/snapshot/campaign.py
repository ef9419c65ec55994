"""build_snapshot: the records of one import -> a validated Snapshot, or the problems that stop it.

Pure: the caller passes what it knows of the home (its UAIs, the newest staged year) in an
ImportContext, and decides what to do with the problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bascule.domain.people import parse_french_date
from bascule.domain.school import SchoolYear, normalise_uai
from bascule.errors import Location, Problem
from bascule.exports.records import ExportFile, ExportKind
from bascule.snapshot.checks import Checker
from bascule.snapshot.eleves import build_eleves
from bascule.snapshot.memo import BuildMemo
from bascule.snapshot.model import (
    Guardianship,
    Mef,
    Responsable,
    Snapshot,
    SourceFile,
    Subject,
)
from bascule.snapshot.responsables import build_responsables, linkable_eleve_ids
from bascule.snapshot.staff import (
    build_profs_principaux,
    build_services,
    build_staff,
    mark_teachers,
)
from bascule.snapshot.structures import build_structures

_HOME_HINT = (
    "Vérifiez que les exports sont ceux du bon établissement, ou choisissez le dossier de cet "
    "établissement avec --home (bascule init --uai ... le crée)."
)


_KIND_ORDER = list(ExportKind)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportContext:
    school_uais: frozenset[str]
    newest_staged_year: Mapping[str, SchoolYear]
    today: date  # the import's day (a rehearsal's `--at`)
    # The export date of each school's newest staged campaign: an older export is refused.
    newest_export_date: Mapping[str, date] = field(default_factory=dict)
    # The clock's own day, when the import is dated otherwise (`--at`): an export dated later
    # than both this day and `today` (give or take a day of time zones) is refused.
    clock_today: date | None = None
    # False ([import] refuse_on_any_error): an error in one record refuses the whole import.
    hold_records: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    uai: str
    school_year: SchoolYear
    export_date: date


def build_snapshot(
    files: list[ExportFile], context: ImportContext, memo: BuildMemo | None = None
) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot, or None when an error-level problem was found; all problems in both cases.

    A fault confined to one record holds that record (snapshot/holds.py): the snapshot lists it
    in `held`, and its problem has the severity HELD. The files are taken in a fixed order (by
    kind, then name), so that the same exports give the same snapshot whatever their order.
    `memo` (snapshot/memo.py) gives the parts of a previous import to reuse where their inputs
    are the same, and keeps this import's: the result is the same with or without it.
    """
    files = sorted(files, key=lambda export: (_KIND_ORDER.index(export.kind), export.name))
    checker = Checker(hold_records=context.hold_records)
    by_kind = _one_file_per_kind(files, checker)
    campaign = _campaign(files, by_kind, context, checker)
    if campaign is None or ExportKind.ELEVES not in by_kind or not _has_eleves(
            by_kind[ExportKind.ELEVES], checker):
        return None, checker.problems
    snapshot = _assemble(files, by_kind, campaign, checker,
                         memo if memo is not None else BuildMemo())
    if any(problem.is_error for problem in checker.problems):
        return None, checker.problems
    return snapshot, checker.problems


def _one_file_per_kind(files: list[ExportFile], checker: Checker) -> dict[ExportKind, ExportFile]:
    by_kind: dict[ExportKind, ExportFile] = {}
    for export in files:
        if export.kind in by_kind:
            checker.error("export-double", f"deuxième fichier « {export.kind.label} » (le premier "
                          f"est {by_kind[export.kind].name})", Location(file=export.name),
                          "Donnez un seul fichier de chaque sorte (par exemple ElevesSansAdresses "
                          "ou ElevesAvecAdresses, pas les deux).")
            continue
        by_kind[export.kind] = export
    if ExportKind.ELEVES not in by_kind:
        checker.error("export-eleves-absent", "aucun export des élèves parmi les fichiers",
                      Location(file=", ".join(f.name for f in files) or "(aucun fichier)"),
                      "Ajoutez l'export Siècle-BEE ElevesSansAdresses (ou ElevesAvecAdresses).")
    for kind, consequence in ((ExportKind.RESPONSABLES, "les responsables"),
                              (ExportKind.STS, "les personnels, services et professeurs "
                               "principaux")):
        if by_kind and kind not in by_kind:
            checker.warn("export-absent", f"pas de fichier « {kind.label} » : {consequence} ne "
                         "sont pas mis à jour par cet import", Location(file="(import)"),
                         "Ajoutez ce fichier pour une bascule complète.")
    return by_kind


def _has_eleves(eleves_file: ExportFile, checker: Checker) -> bool:
    """An élèves file without a single ELEVE is an export cut short or made empty: taken, it
    would have every élève leave (and blame each responsable's link for it)."""
    if eleves_file.eleves:
        return True
    checker.error("eleves-aucun", "le fichier ne contient aucun élève (aucune ELEVE)",
                  Location(file=eleves_file.name),
                  "L'export est vide ou tronqué : refaites l'export des élèves dans Siècle-BEE, "
                  "puis importez-le.")
    return False


def _campaign(
    files: list[ExportFile],
    by_kind: dict[ExportKind, ExportFile],
    context: ImportContext,
    checker: Checker,
) -> Campaign | None:
    """UAI and year, identical in every file and acceptable for this home."""
    stated = [export for export in files if export.kind is not ExportKind.LOCAL_PEOPLE]
    uais = [_uai(export, context, checker) for export in stated]
    years = [_year(export, checker) for export in stated]
    reference = by_kind.get(ExportKind.ELEVES) or (stated[0] if stated else None)
    if reference is None or None in uais or None in years:
        return None
    uai, year = uais[stated.index(reference)], years[stated.index(reference)]
    assert uai is not None and year is not None  # both checked just above
    consistent = _same_campaign(stated, uais, years, reference, checker)
    newest = context.newest_staged_year.get(uai)
    if newest is not None and year < newest:
        checker.error("annee-ancienne",
                      f"année scolaire {year}, plus ancienne que la dernière importée ({newest})",
                      _year_location(reference),
                      "Vous avez sans doute pris les exports de l'an dernier : refaites les "
                      "exports de l'année en cours.")
        return None
    export_date = _export_date(reference, context, checker)
    if not _export_date_fits(reference, uai, export_date, context, checker):
        return None
    return Campaign(uai=uai, school_year=year, export_date=export_date) if consistent else None


def _uai(export: ExportFile, context: ImportContext, checker: Checker) -> str | None:
    location = export.header.location.at(field="UAJ", line=export.header.uai_line)
    uai = normalise_uai(export.header.uai or "")
    if not uai:
        checker.error("uai-absent", "l'export ne dit pas de quel établissement il vient", location,
                      "Le fichier est incomplet : refaites l'export.")
        return None
    if uai not in context.school_uais:
        configured = ", ".join(sorted(context.school_uais))
        checker.error("uai-autre", f"« {uai} » : ce fichier vient d'un autre établissement que "
                      f"celui de ce dossier bascule ({configured})", location, _HOME_HINT)
        return None
    return uai


def _year(export: ExportFile, checker: Checker) -> SchoolYear | None:
    text = (export.header.school_year or "").strip()
    if text.isdigit() and len(text) == 4:
        return SchoolYear(int(text))
    checker.error("annee-invalide", f"année scolaire « {text} » : attendu l'année de début, "
                  "comme 2026", _year_location(export),
                  "Le fichier est incomplet ou modifié : refaites l'export.")
    return None


def _year_location(export: ExportFile) -> Location:
    return export.header.location.at(field="ANNEE_SCOLAIRE", line=export.header.year_line)


def _same_campaign(
    stated: list[ExportFile],
    uais: list[str | None],
    years: list[SchoolYear | None],
    reference: ExportFile,
    checker: Checker,
) -> bool:
    index = stated.index(reference)
    consistent = True
    for export, uai, year in zip(stated, uais, years, strict=True):
        if uai != uais[index]:
            checker.error("uai-melange", f"fichier de l'établissement {uai}, alors que "
                          f"{reference.name} est de {uais[index]}",
                          export.header.location.at(field="UAJ", line=export.header.uai_line),
                          "Un import concerne un seul établissement : séparez les fichiers.")
            consistent = False
        if year != years[index]:
            checker.error("annee-melange", f"année scolaire {year}, alors que {reference.name} est "
                          f"de {years[index]}", _year_location(export),
                          "Les fichiers d'un import sont de la même année : refaites les exports "
                          "le même jour, après la bascule de l'année dans Siècle et STS.")
            consistent = False
    return consistent


def _export_date(reference: ExportFile, context: ImportContext, checker: Checker) -> date:
    if reference.kind is ExportKind.ELEVES and reference.header.export_date:
        parsed = checker.date(reference.header.export_date, parse_french_date,
                              reference.header.location, "DATE_EXPORT",
                              "Le fichier est incomplet ou modifié : refaites l'export.",
                              required=True)
        if parsed is not None:
            return parsed
    return context.today


# Time zones: an export made in the evening of the islands' day may be dated tomorrow here.
EXPORT_DATE_TOLERANCE = timedelta(days=1)


def _export_date_fits(reference: ExportFile, uai: str, export_date: date,
                      context: ImportContext, checker: Checker) -> bool:
    """An export dated in the future (a typo, or the clock of the machine that made it), or
    older than the school's newest campaign (old files taken again): refused, since its date
    says who has left and who is still there."""
    location = reference.header.location.at(field="DATE_EXPORT")
    latest = max(context.today, context.clock_today or context.today)
    if export_date > latest + EXPORT_DATE_TOLERANCE:
        checker.error("date-export-future",
                      f"export daté du {export_date:%d/%m/%Y}, plus tard qu'aujourd'hui "
                      f"({latest:%d/%m/%Y})",
                      location,
                      "La date est sans doute mal saisie, ou l'horloge de la machine qui a fait "
                      "l'export est fausse : vérifiez-la, refaites l'export, puis importez-le.")
        return False
    newest = context.newest_export_date.get(uai)
    if newest is not None and export_date < newest:
        checker.error("date-export-ancienne",
                      f"export daté du {export_date:%d/%m/%Y}, plus ancien que la dernière "
                      f"campagne importée pour {uai} (export du {newest:%d/%m/%Y})",
                      location,
                      "Ce sont sans doute d'anciens fichiers : refaites les exports du jour "
                      "dans Siècle-BEE et STS-Web, puis importez-les.")
        return False
    return True


def _assemble(
    files: list[ExportFile],
    by_kind: dict[ExportKind, ExportFile],
    campaign: Campaign,
    checker: Checker,
    memo: BuildMemo,
) -> Snapshot:
    eleves_file = by_kind[ExportKind.ELEVES]
    eleves = build_eleves(eleves_file, campaign.export_date, checker, memo)
    eleve_ids = linkable_eleve_ids(eleves_file)
    responsables, guardianships = (
        _responsables(by_kind[ExportKind.RESPONSABLES], eleve_ids, checker, memo)
        if ExportKind.RESPONSABLES in by_kind else ((), ())
    )
    declaring = [by_kind[k] for k in (ExportKind.STS, ExportKind.STRUCTURES) if k in by_kind]
    structures = build_structures(declaring, eleves_file, eleves, checker)
    staff_files = [by_kind[k] for k in (ExportKind.STS, ExportKind.LOCAL_PEOPLE) if k in by_kind]
    staff = build_staff(staff_files, checker)
    subjects = _subjects(files)
    sts = by_kind.get(ExportKind.STS)
    services = build_services(sts.services if sts else (), staff, set(subjects), checker)
    staff = mark_teachers(staff, services, sts.staff if sts else (), checker)
    profs_principaux = build_profs_principaux(sts.staff if sts else (), structures.divisions,
                                              checker)
    return Snapshot(
        uai=campaign.uai,
        school_year=campaign.school_year,
        export_date=campaign.export_date,
        sources=tuple(SourceFile(name=f.name, kind=f.kind.value, sha256=f.sha256) for f in files),
        eleves=eleves,
        responsables=responsables,
        guardianships=guardianships,
        staff=tuple(staff.values()),
        divisions=tuple(structures.divisions.values()),
        groups=tuple(structures.groups.values()),
        services=services,
        profs_principaux=profs_principaux,
        subjects=tuple(subjects.values()),
        mefs=_mefs(files),
        held=tuple(checker.held),
    )


def _responsables(export: ExportFile, eleve_ids: set[str], checker: Checker, memo: BuildMemo
                  ) -> tuple[tuple[Responsable, ...], tuple[Guardianship, ...]]:
    return memo.responsables_of(export.name, export.sha256, eleve_ids, checker,
                                lambda: build_responsables(export, eleve_ids, checker))


def _subjects(files: list[ExportFile]) -> dict[str, Subject]:
    subjects: dict[str, Subject] = {}
    for export in files:
        for record in export.subjects:
            code = (record.code or "").strip()
            if code and code not in subjects:
                subjects[code] = Subject(code=code, code_gestion=record.code_gestion,
                                         short_label=record.short_label,
                                         long_label=record.long_label)
    return subjects


def _mefs(files: list[ExportFile]) -> tuple[Mef, ...]:
    mefs: dict[str, Mef] = {}
    for export in files:
        for record in export.mefs:
            code = (record.code or "").strip()
            if code and code not in mefs:
                mefs[code] = Mef(code=code, label=record.label)
    return tuple(mefs.values())
