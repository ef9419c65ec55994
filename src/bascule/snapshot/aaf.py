"""AAF records of one school -> the same Snapshot as its Siècle-BEE + STS-Web exports.

The AAF aggregates Siècle (Eleve, PersRelEleve) and STS/HR (PersEducNat): its records are turned
into the records the Siècle and STS readers produce, with their AAF file and line, and go
through the same checks (build_snapshot); the problems then name the AAF attributes. Ids:
an élève keeps its Siècle ELEVE_ID (``ENTEleveStructRattachId``); a responsable and a staff
member are known by their AAF jointure (``ENTPersonJointure``, scheme "aaf"), which every person
of the snapshot keeps as ``aaf_jointure`` so that matching can use it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from bascule.domain.people import parse_french_date
from bascule.domain.school import SchoolYear
from bascule.errors import Location, Problem
from bascule.exports.records import (
    AafRecord,
    EleveRecord,
    ExportFile,
    ExportKind,
    GuardianLinkRecord,
    Header,
    MefRecord,
    OptionRecord,
    PersonneRecord,
    ServiceRecord,
    StaffRecord,
    StructureLink,
    StructureLinkRecord,
    StructureRecord,
    SubjectRecord,
    TeacherRef,
)
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.checks import FIX_IN_SIECLE, FIX_IN_STS, REEXPORT_TOGETHER
from bascule.snapshot.model import Snapshot, SourceFile, StaffSource

AAF_KIND = ExportKind.AAF.value
FIX_IN_AAF = ("Ces données viennent de l'AAF de l'académie : faites corriger la fiche dans "
              "Siècle-BEE ou STS-Web (la livraison AAF suivante la reprendra), ou signalez-le "
              "à l'académie, puis relancez l'import.")
# The Siècle/STS field a check names -> the AAF attribute it was read from.
_AAF_FIELDS = {
    "ELEVE_ID": "ENTEleveStructRattachId", "NOM_USAGE": "sn", "NOM_DE_FAMILLE": "ENTPersonNomPatro",
    "NOM_PATRONYMIQUE": "ENTPersonNomPatro", "PRENOM": "givenName",
    "PRENOM2": "ENTPersonAutresPrenoms", "PRENOM3": "ENTPersonAutresPrenoms",
    "DATE_NAISS": "ENTPersonDateNaissance", "DATE_NAISSANCE": "ENTPersonDateNaissance",
    "CODE_STRUCTURE": "ENTEleveClasses", "TYPE_STRUCTURE": "ENTEleveClasses",
    "PERSONNE_ID": "ENTElevePersRelEleve", "ID": "ENTPersonJointure", "FONCTION":
    "ENTPersonFonctions", "MEL": "mail", "email": "mail", "CODE_MATIERE":
    "ENTAuxEnsClassesMatieres", "ENSEIGNANT": "ENTPersonJointure", "CODE": "ENTStructureClasses",
    "CODE_MEF": "ENTEleveMEF", "NIVEAU_RESPONSABILITE": "ENTElevePersRelEleve",
}
_FIELD_WORDS = re.compile(r"\b(" + "|".join(sorted(_AAF_FIELDS, key=len, reverse=True)) + r")\b")
_SIECLE_HINTS = {FIX_IN_SIECLE, FIX_IN_STS, REEXPORT_TOGETHER}
# personalTitle -> the Siècle/STS sex code (1 male, 2 female).
_SEX_OF_TITLE = {"M.": "1", "M": "1", "MME": "2", "MLLE": "2"}
# Older deliveries code the relationship 1 (père), 2 (mère); newer ones Siècle's CODE_PARENTE.
_PARENTE_OF_LIEN = {"1": "20", "2": "10"}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SchoolRecords:
    """One school's current AAF records (a Complet with its Deltas applied) and where from."""

    uai: str
    structures: frozenset[str]  # this school's structure jointures (its UAI among them)
    export_date: str  # DD/MM/YYYY, the newest delivery's
    records: Sequence[AafRecord]
    sources: Sequence[SourceFile]


def build_aaf_snapshot(
    school: SchoolRecords, context: ImportContext
) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot, or None with the problems (which name AAF attributes and files)."""
    files = _export_files(school)
    snapshot, problems = build_snapshot(files, context)
    problems = [_in_aaf_terms(problem) for problem in problems
                if problem.code != "export-absent"]
    if snapshot is None:
        return None, problems
    return _with_jointures(snapshot, school, tuple(school.sources)), problems


def _in_aaf_terms(problem: Problem) -> Problem:
    return dataclasses.replace(problem, message=_aaf_words(problem.message),
                               location=_aaf_location(problem.location),
                               hint=_aaf_hint(problem.hint))


def _aaf_words(text: str) -> str:
    return _FIELD_WORDS.sub(lambda m: _AAF_FIELDS[m.group(1)], text)


def _aaf_location(location: Location) -> Location:
    return dataclasses.replace(location,
                               field=_AAF_FIELDS.get(location.field or "", location.field))


def _aaf_hint(hint: str) -> str:
    """"Fix it in Siècle-BEE / STS-Web and export again" becomes the AAF's way; the rest stays."""
    for siecle in _SIECLE_HINTS:
        if hint.startswith(siecle):
            return FIX_IN_AAF + hint[len(siecle):]
    return hint


def _with_jointures(snapshot: Snapshot, school: SchoolRecords,
                    sources: tuple[SourceFile, ...]) -> Snapshot:
    eleve_jointures = {(r.first("ENTEleveStructRattachId") or "").strip(): r.identifier
                       for r in school.records if r.category == "Eleve"}
    return dataclasses.replace(
        snapshot, sources=sources,
        eleves=tuple(dataclasses.replace(e, aaf_jointure=eleve_jointures.get(e.eleve_id))
                     for e in snapshot.eleves),
        responsables=tuple(dataclasses.replace(r, aaf_jointure=r.personne_id)
                           for r in snapshot.responsables),
        held=tuple(dataclasses.replace(h, reason=_aaf_words(h.reason), hint=_aaf_hint(h.hint),
                                       location=_aaf_location(h.location))
                   for h in snapshot.held))


def _by_category(records: Iterable[AafRecord]) -> dict[str, list[AafRecord]]:
    found: dict[str, list[AafRecord]] = defaultdict(list)
    for record in records:
        found[record.category or ""].append(record)
    return found


def _export_files(school: SchoolRecords) -> list[ExportFile]:
    by_category = _by_category(school.records)
    header = Header(uai=school.uai, school_year=_school_year(school.export_date),
                    export_date=school.export_date,
                    location=_first_location(school, by_category))
    eleves = _file(ExportKind.ELEVES, "Eleve", by_category, header)
    mine = _Mine(school.structures)
    for record in by_category["Eleve"]:
        _add_eleve(eleves, record, mine)
    files = [eleves]
    if by_category["PersRelEleve"]:
        responsables = _file(ExportKind.RESPONSABLES, "PersRelEleve", by_category, header)
        responsables.personnes.extend(_personne(r) for r in by_category["PersRelEleve"])
        responsables.guardian_links.extend(
            link for r in by_category["Eleve"] for link in _guardian_links(r))
        files.append(responsables)
    if by_category["PersEducNat"]:
        sts = _file(ExportKind.STS, "PersEducNat", by_category, header)
        for record in by_category["PersEducNat"]:
            _add_staff(sts, record, mine)
        sts.structures.extend(_structures(by_category, mine))
        files.append(sts)
    files.append(_nomenclature(by_category, header))
    return files


def _school_year(export_date: str) -> str:
    """The AAF states no school year: the delivery's day tells it (it switches on 1 August)."""
    return str(SchoolYear.containing(parse_french_date(export_date)).start)


def _first_location(school: SchoolRecords,
                    by_category: Mapping[str, list[AafRecord]]) -> Location:
    records = by_category.get("Eleve") or list(school.records)
    name = records[0].file if records else "(livraison AAF)"
    return Location(file=name, record=f"livraison AAF de {school.uai}")


def _file(kind: ExportKind, category: str, by_category: Mapping[str, list[AafRecord]],
          header: Header) -> ExportFile:
    names = sorted({record.file for record in by_category.get(category, ())})
    return ExportFile(name=", ".join(names) or f"AAF {category}", sha256="", kind=kind,
                      header=header)


class _Mine:
    """Compound values of this school: ``<structure jointure>$<fields>``, the others skipped."""

    def __init__(self, structures: frozenset[str]):
        self.structures = structures

    def fields(self, values: Iterable[str]) -> list[list[str]]:
        found = []
        for value in values:
            parts = value.split("$")
            if len(parts) > 1 and parts[0].strip() in self.structures:
                found.append(parts[1:])
        return found


def _names(record: AafRecord) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """Usage name, birth name, usual first name, other first names."""
    first = record.first("givenName")
    others = [name for name in record.attributes.get("ENTPersonAutresPrenoms", ())
              if name and name != first]
    return record.first("sn"), record.first("ENTPersonNomPatro"), first, tuple(others)


def _add_eleve(export: ExportFile, record: AafRecord, mine: _Mine) -> None:
    usage, birth, first, others = _names(record)
    eleve_id = record.first("ENTEleveStructRattachId")
    ine = record.first("ENTEleveINE")
    export.eleves.append(EleveRecord(
        file=record.file, line=record.line, eleve_id=eleve_id, elenoet=None, id_national=ine,
        ine_rnie=None, ine_bea=None, nom_de_famille=birth or usage, nom_usage=usage, nom=None,
        prenom=first, prenom2=others[0] if others else None,
        prenom3=others[1] if len(others) > 1 else None,
        date_naiss=record.first("ENTPersonDateNaissance"),
        code_sexe=_SEX_OF_TITLE.get((record.first("personalTitle") or "").upper()),
        code_mef=record.first("ENTEleveMEF"), date_entree=None, date_sortie=None))
    links = [StructureLink(code=fields[0], kind="D", line=record.line)
             for fields in mine.fields(record.attributes.get("ENTEleveClasses", ()))]
    links += [StructureLink(code=fields[0], kind="G", line=record.line)
              for fields in mine.fields(record.attributes.get("ENTEleveGroupes", ()))]
    if links:
        export.structure_links.append(StructureLinkRecord(
            file=record.file, line=record.line, eleve_id=eleve_id, links=tuple(links)))
    subjects = record.attributes.get("ENTEleveCodeEnseignements", ())
    if subjects:
        export.options.append(OptionRecord(file=record.file, line=record.line,
                                           eleve_id=eleve_id, subject_codes=subjects))


def _guardian_links(record: AafRecord) -> list[GuardianLinkRecord]:
    """ENTElevePersRelEleve: <persId>$<lien>$<respFinancier>$<respLegal>$<contact>$<paiement>;
    the deprecated ENTEleveAutoriteParentale lists the legal guardians' ids."""
    eleve_id = record.first("ENTEleveStructRattachId")
    links = {}
    for value in record.attributes.get("ENTElevePersRelEleve", ()):
        fields = (value.split("$") + [""] * 6)[:6]
        legal = fields[3].strip() in ("1", "2")
        level = "1" if legal else ("3" if fields[4].strip() == "1" else "2")
        links[fields[0].strip()] = GuardianLinkRecord(
            file=record.file, line=record.line, eleve_id=eleve_id, personne_id=fields[0].strip(),
            niveau=level, resp_legal=fields[3].strip() if legal else "0",
            code_parente=_PARENTE_OF_LIEN.get(fields[1].strip(), fields[1].strip() or None))
    for personne_id in record.attributes.get("ENTEleveAutoriteParentale", ()):
        links.setdefault(personne_id.strip(), GuardianLinkRecord(
            file=record.file, line=record.line, eleve_id=eleve_id,
            personne_id=personne_id.strip(), niveau="1", resp_legal="1", code_parente=None))
    return list(links.values())


def _personne(record: AafRecord) -> PersonneRecord:
    usage, birth, first, _others = _names(record)
    return PersonneRecord(
        file=record.file, line=record.line, personne_id=record.identifier,
        nom_de_famille=birth, nom_usage=usage, nom=None, prenom=first,
        civilite=_civility(record.first("personalTitle")), mel=record.first("mail"))


def _civility(title: str | None) -> str | None:
    """personalTitle (M., Mme, Mlle) as Siècle's LC_CIVILITE spells it (M., MME)."""
    return title.strip().upper() if title and title.strip() else None


def _add_staff(export: ExportFile, record: AafRecord, mine: _Mine) -> None:
    usage, birth, first, _others = _names(record)
    functions = mine.fields(record.attributes.get("ENTPersonFonctions", ()))
    title = (record.first("personalTitle") or "").upper()
    sex = _SEX_OF_TITLE.get(title)
    export.staff.append(StaffRecord(
        file=record.file, line=record.line, staff_id=record.identifier,
        source_type=StaffSource.AAF.value, sexe=sex, civilite=sex, nom_usage=usage,
        nom_patronymique=birth, prenom=first,
        date_naissance=record.first("ENTPersonDateNaissance"),
        fonction=functions[0][0] if functions else None,
        disciplines=tuple(dict.fromkeys(f[2] for f in functions if len(f) > 2 and f[2])),
        pp_divisions=tuple(f[0] for f in mine.fields(
            record.attributes.get("ENTAuxEnsClassesPrincipal", ()))),
        mel=record.first("mail")))
    teacher = (TeacherRef(staff_id=record.identifier, source_type=StaffSource.AAF.value),)
    for attribute, kind in (("ENTAuxEnsClassesMatieres", "D"), ("ENTAuxEnsGroupesMatieres", "G")):
        for fields in mine.fields(record.attributes.get(attribute, ())):
            export.services.append(ServiceRecord(
                file=record.file, line=record.line, structure_code=fields[0],
                structure_kind=kind, subject_code=fields[1] if len(fields) > 1 else None,
                mod_cours=None, teachers=teacher))


def _structures(by_category: Mapping[str, list[AafRecord]], mine: _Mine) -> list[StructureRecord]:
    """The school's divisions and groups (EtabEducNat ``<code>$<libellé>``); AAF has no
    group-to-division link nor division MEFs: they are those of the élèves."""
    divisions_of_group: dict[str, set[str]] = defaultdict(set)
    mefs_of_division: dict[str, set[str]] = defaultdict(set)
    for record in by_category.get("Eleve", ()):
        classes = [f[0] for f in mine.fields(record.attributes.get("ENTEleveClasses", ()))]
        for group in mine.fields(record.attributes.get("ENTEleveGroupes", ())):
            divisions_of_group[group[0]].update(classes)
        mef = record.first("ENTEleveMEF")
        for division in classes:
            if mef:
                mefs_of_division[division].add(mef)
    found = []
    for record in by_category.get("EtabEducNat", ()):
        if (record.first("ENTStructureJointure") or record.identifier) not in mine.structures:
            continue
        for attribute, kind in (("ENTStructureClasses", "D"), ("ENTStructureGroupes", "G")):
            for value in record.attributes.get(attribute, ()):
                code, _, label = value.partition("$")
                found.append(StructureRecord(
                    file=record.file, line=record.line, code=code, kind=kind,
                    label=label or None,
                    parent_divisions=tuple(sorted(divisions_of_group[code])) if kind == "G"
                    else (), mefs=tuple(sorted(mefs_of_division[code])) if kind == "D" else ()))
    return found


def _nomenclature(by_category: Mapping[str, list[AafRecord]], header: Header) -> ExportFile:
    export = _file(ExportKind.NOMENCLATURE, "MatiereEducNat", by_category, header)
    for record in by_category.get("MatiereEducNat", ()):
        label = record.first("ENTLibelleMatiere")
        export.subjects.append(SubjectRecord(
            file=record.file, line=record.line,
            code=record.first("ENTMatJointure") or record.identifier, code_gestion=None,
            short_label=label, long_label=label))
    for record in by_category.get("MefEducNat", ()):
        export.mefs.append(MefRecord(
            file=record.file, line=record.line,
            code=record.first("ENTMefJointure") or record.identifier,
            label=record.first("ENTLibelleMef"), mefstat11=None))
    return export
