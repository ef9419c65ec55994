"""STS-Web reader: sts_emp_<UAI>_<YEAR>.xml (root STS_EDT).

In STS the UAI is PARAMETRES/UAJ/@CODE and the year PARAMETRES/ANNEE_SCOLAIRE/@ANNEE; dates are
YYYY-MM-DD; the professeur principal is carried by the teacher (INDIVIDU/PROFS_PRINC).
"""

from __future__ import annotations

from lxml import etree

from bascule.exports.records import (
    ExportFile,
    ExportKind,
    Header,
    MefRecord,
    ServiceRecord,
    StaffRecord,
    StructureRecord,
    SubjectRecord,
    TeacherRef,
)
from bascule.exports.source import Source, child_texts, iter_elements

_TAGS = ("PARAMETRES", "MATIERE", "MEF", "INDIVIDU", "DIVISION", "GROUPE")
# Compiled once (an XPath string given to element.xpath() is compiled again at every call),
# giving plain str: lxml's default « smart » strings each carry a way back to their element.
_DISCIPLINES = etree.XPath("DISCIPLINES/DISCIPLINE/@CODE", smart_strings=False)
_PROFS_PRINC = etree.XPath("PROFS_PRINC/PROF_PRINC[CODE_STRUCTURE]")
_PARENT_DIVISIONS = etree.XPath("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/@CODE",
                                smart_strings=False)
_MEFS = etree.XPath("MEFS_APPARTENANCE/MEF_APPARTENANCE/@CODE", smart_strings=False)


def read_sts(source: Source) -> ExportFile:
    export = ExportFile(
        name=source.name, sha256=source.sha256, kind=ExportKind.STS,
        header=Header(uai=None, school_year=None, export_date=None,
                      location=source.location(1)),
    )
    for element in iter_elements(source, _TAGS):
        tag = element.tag
        if tag == "INDIVIDU":
            export.staff.append(_individu(source, element))
        elif tag in ("DIVISION", "GROUPE"):
            structure = _structure(source, element)
            export.structures.append(structure)
            export.services.extend(_services(source, element, structure))
        elif tag == "MATIERE":
            export.subjects.append(_subject(source, element))
        elif tag == "MEF":
            export.mefs.append(_mef(source, element))
        else:
            export.header = _header(source, element)
    return export


def header(source: Source) -> Header:
    """Only the PARAMETRES of an STS-Web file (the parse stops there)."""
    for element in iter_elements(source, ("PARAMETRES",)):
        return _header(source, element)
    return Header(uai=None, school_year=None, export_date=None, location=source.location(1))


def _header(source: Source, parametres: etree._Element) -> Header:
    uaj = parametres.find("UAJ")
    year = parametres.find("ANNEE_SCOLAIRE")
    date_debut = year.findtext("DATE_DEBUT") if year is not None else None
    return Header(
        uai=uaj.get("CODE") if uaj is not None else None,
        school_year=year.get("ANNEE") if year is not None else None,
        export_date=date_debut,
        location=source.location(parametres.sourceline, "paramètres de l'export"),
        uai_line=uaj.sourceline if uaj is not None else None,
        year_line=year.sourceline if year is not None else None,
    )


def _individu(source: Source, element: etree._Element) -> StaffRecord:
    staff_id = element.get("ID")
    get = child_texts(element).get
    profs_principaux = _PROFS_PRINC(element)
    return StaffRecord(
        file=source.name, line=element.sourceline,
        staff_id=staff_id,
        source_type=element.get("TYPE"),
        sexe=get("SEXE"),
        civilite=get("CIVILITE"),
        nom_usage=get("NOM_USAGE"),
        nom_patronymique=get("NOM_PATRONYMIQUE"),
        prenom=get("PRENOM"),
        date_naissance=get("DATE_NAISSANCE"),
        fonction=get("FONCTION"),
        disciplines=tuple(_DISCIPLINES(element)),
        pp_divisions=tuple(pp.findtext("CODE_STRUCTURE") or "" for pp in profs_principaux),
        pp_lines=tuple(pp.sourceline for pp in profs_principaux),
    )


def _structure(source: Source, element: etree._Element) -> StructureRecord:
    code = element.get("CODE")
    is_division = element.tag == "DIVISION"
    return StructureRecord(
        file=source.name, line=element.sourceline,
        code=code,
        kind="D" if is_division else "G",
        label=element.findtext("LIBELLE_LONG"),
        parent_divisions=tuple(_PARENT_DIVISIONS(element)),
        mefs=tuple(_MEFS(element)),
    )


def _services(
    source: Source, element: etree._Element, structure: StructureRecord
) -> list[ServiceRecord]:
    services = []
    for service in element.iterfind("SERVICES/SERVICE"):
        subject = service.get("CODE_MATIERE")
        services.append(ServiceRecord(
            file=source.name, line=service.sourceline,
            structure_code=structure.code,
            structure_kind=structure.kind,
            subject_code=subject,
            mod_cours=service.get("CODE_MOD_COURS"),
            teachers=tuple(
                TeacherRef(staff_id=teacher.get("ID"), source_type=teacher.get("TYPE"))
                for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT")
            ),
        ))
    return services


def _subject(source: Source, element: etree._Element) -> SubjectRecord:
    code = element.get("CODE")
    get = child_texts(element).get
    return SubjectRecord(
        file=source.name, line=element.sourceline,
        code=code, code_gestion=get("CODE_GESTION"),
        short_label=get("LIBELLE_COURT"), long_label=get("LIBELLE_LONG"),
    )


def _mef(source: Source, element: etree._Element) -> MefRecord:
    code = element.get("CODE")
    get = child_texts(element).get
    return MefRecord(
        file=source.name, line=element.sourceline,
        code=code, label=get("LIBELLE_LONG"), mefstat11=get("MEFSTAT11"),
    )
