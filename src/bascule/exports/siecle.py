"""Siècle-BEE readers: ElevesSans/AvecAdresses, ResponsablesAvecAdresses, Nomenclature, Structures.

In Siècle the UAI and the year are element text (PARAMETRES/UAJ, PARAMETRES/ANNEE_SCOLAIRE).
Only the elements listed in each reader reach Python; addresses and the like are parsed past.
"""

from __future__ import annotations

from lxml import etree

from bascule.exports.records import (
    EleveRecord,
    ExportFile,
    ExportKind,
    GuardianLinkRecord,
    Header,
    MefRecord,
    OptionRecord,
    PersonneRecord,
    StructureLink,
    StructureLinkRecord,
    StructureRecord,
    SubjectRecord,
)
from bascule.exports.source import Source, child_texts, iter_elements


def _header(source: Source, parametres: etree._Element) -> Header:
    fields = child_texts(parametres)
    lines = {child.tag: child.sourceline for child in parametres}
    return Header(
        uai=fields.get("UAJ"),
        school_year=fields.get("ANNEE_SCOLAIRE"),
        export_date=fields.get("DATE_EXPORT"),
        location=source.location(parametres.sourceline, "paramètres de l'export"),
        uai_line=lines.get("UAJ"),
        year_line=lines.get("ANNEE_SCOLAIRE"),
    )


def header(source: Source) -> Header:
    """Only the PARAMETRES of a Siècle-BEE file (the parse stops there)."""
    for element in iter_elements(source, ("PARAMETRES",)):
        return _header(source, element)
    return _missing_header(source)


def _missing_header(source: Source) -> Header:
    return Header(uai=None, school_year=None, export_date=None, location=source.location(1))


def read_eleves(source: Source) -> ExportFile:
    export = ExportFile(name=source.name, sha256=source.sha256, kind=ExportKind.ELEVES,
                        header=_missing_header(source))
    for element in iter_elements(source, ("PARAMETRES", "ELEVE", "OPTION", "STRUCTURES_ELEVE")):
        tag = element.tag
        if tag == "ELEVE":
            export.eleves.append(_eleve(source, element))
        elif tag == "STRUCTURES_ELEVE":
            export.structure_links.append(_structure_links(source, element))
        elif tag == "OPTION":
            export.options.append(_option(source, element))
        else:
            export.header = _header(source, element)
    return export


def _eleve(source: Source, element: etree._Element) -> EleveRecord:
    eleve_id = element.get("ELEVE_ID")
    fields = child_texts(element)
    get = fields.get
    return EleveRecord(
        file=source.name, line=element.sourceline,
        eleve_id=eleve_id,
        # Some files repeat ELENOET as a child instead of (or beside) the attribute.
        elenoet=element.get("ELENOET") or get("ELENOET"),
        id_national=get("ID_NATIONAL"),
        ine_rnie=get("INE_RNIE"),
        ine_bea=get("INE_BEA"),
        id_eleve_etab=get("ID_ELEVE_ETAB"),
        nom_de_famille=get("NOM_DE_FAMILLE"),
        nom_usage=get("NOM_USAGE"),
        nom=get("NOM"),
        prenom=get("PRENOM"),
        prenom2=get("PRENOM2"),
        prenom3=get("PRENOM3"),
        date_naiss=get("DATE_NAISS"),
        code_sexe=get("CODE_SEXE"),
        code_mef=get("CODE_MEF"),
        date_entree=get("DATE_ENTREE"),
        date_sortie=get("DATE_SORTIE"),
    )


# Compiled once (an XPath string given to element.xpath() is compiled again at every call),
# giving plain str: lxml's default « smart » strings each carry a way back to their element.
_OPTION_SUBJECTS = etree.XPath("OPTIONS_ELEVE/CODE_MATIERE/text()", smart_strings=False)
_GROUP_PARENTS = etree.XPath("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/CODE_STRUCTURE/text()",
                             smart_strings=False)
_DIVISION_MEFS = etree.XPath("MEFS_APPARTENANCE/MEF_APPARTENANCE/CODE_MEF/text()",
                             smart_strings=False)


def _option(source: Source, element: etree._Element) -> OptionRecord:
    return OptionRecord(
        file=source.name, line=element.sourceline,
        eleve_id=element.get("ELEVE_ID"),
        subject_codes=tuple(_OPTION_SUBJECTS(element)),
    )


def _structure_links(source: Source, element: etree._Element) -> StructureLinkRecord:
    return StructureLinkRecord(
        file=source.name, line=element.sourceline,
        eleve_id=element.get("ELEVE_ID"),
        links=tuple([_structure_link(structure) for structure in element]),
    )


def _structure_link(structure: etree._Element) -> StructureLink:
    """One STRUCTURE's code and type as findtext reads them (the first such child's text, ""
    when it has none, None when there is no such child), in one pass over its children."""
    code = kind = None
    for child in structure:
        tag = child.tag
        if tag == "CODE_STRUCTURE":
            if code is None:
                code = child.text or ""
        elif tag == "TYPE_STRUCTURE" and kind is None:
            kind = child.text or ""
    return StructureLink(code=code, kind=kind, line=structure.sourceline)


def read_responsables(source: Source) -> ExportFile:
    export = ExportFile(name=source.name, sha256=source.sha256, kind=ExportKind.RESPONSABLES,
                        header=_missing_header(source))
    for element in iter_elements(source, ("PARAMETRES", "PERSONNE", "RESPONSABLE_ELEVE")):
        tag = element.tag
        if tag == "PERSONNE":
            export.personnes.append(_personne(source, element))
        elif tag == "RESPONSABLE_ELEVE":
            export.guardian_links.append(_guardian_link(source, element))
        else:
            export.header = _header(source, element)
    return export


def _personne(source: Source, element: etree._Element) -> PersonneRecord:
    personne_id = element.get("PERSONNE_ID")
    get = child_texts(element).get
    return PersonneRecord(
        file=source.name, line=element.sourceline,
        personne_id=personne_id,
        nom_de_famille=get("NOM_DE_FAMILLE"),
        nom_usage=get("NOM_USAGE"),
        nom=get("NOM"),
        prenom=get("PRENOM"),
        civilite=get("LC_CIVILITE"),
        mel=get("MEL"),
    )


def _guardian_link(source: Source, element: etree._Element) -> GuardianLinkRecord:
    get = child_texts(element).get
    eleve_id, personne_id = get("ELEVE_ID"), get("PERSONNE_ID")
    return GuardianLinkRecord(
        file=source.name, line=element.sourceline,
        eleve_id=eleve_id,
        personne_id=personne_id,
        niveau=get("NIVEAU_RESPONSABILITE"),
        resp_legal=get("RESP_LEGAL"),
        code_parente=get("CODE_PARENTE"),
    )


def read_nomenclature(source: Source) -> ExportFile:
    export = ExportFile(name=source.name, sha256=source.sha256, kind=ExportKind.NOMENCLATURE,
                        header=_missing_header(source))
    for element in iter_elements(source, ("PARAMETRES", "MEF", "MATIERE")):
        tag = element.tag
        get = child_texts(element).get
        if tag == "MATIERE":
            code = element.get("CODE_MATIERE")
            export.subjects.append(SubjectRecord(
                file=source.name, line=element.sourceline,
                code=code, code_gestion=get("CODE_GESTION"),
                short_label=get("LIBELLE_COURT"), long_label=get("LIBELLE_LONG"),
            ))
        elif tag == "MEF":
            code = element.get("CODE_MEF")
            export.mefs.append(MefRecord(
                file=source.name, line=element.sourceline,
                code=code, label=get("LIBELLE_LONG"), mefstat11=get("CODE_MEFSTAT"),
            ))
        else:
            export.header = _header(source, element)
    return export


def read_structures(source: Source) -> ExportFile:
    export = ExportFile(name=source.name, sha256=source.sha256, kind=ExportKind.STRUCTURES,
                        header=_missing_header(source))
    for element in iter_elements(source, ("PARAMETRES", "DIVISION", "GROUPE")):
        if element.tag == "PARAMETRES":
            export.header = _header(source, element)
            continue
        code = element.get("CODE_STRUCTURE")
        is_division = element.tag == "DIVISION"
        export.structures.append(StructureRecord(
            file=source.name, line=element.sourceline,
            code=code,
            kind="D" if is_division else "G",
            label=element.findtext("LIBELLE_LONG"),
            parent_divisions=tuple(_GROUP_PARENTS(element)),
            mefs=tuple(_DIVISION_MEFS(element)),
        ))
    return export
