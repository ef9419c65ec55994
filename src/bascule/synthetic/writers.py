"""Render a CollegeYear as the files Siècle-BEE and STS-Web produce, byte for byte in shape:
ISO-8859-15 with its declaration, Siècle files as single-file zips, sts_emp bare."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from lxml import etree

from bascule.synthetic.college import (
    MEF_LABELS,
    MEF_OF_LEVEL,
    SUBJECTS,
    CollegeYear,
    Eleve,
    Responsable,
)

_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'


def _fr(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def sub(parent: etree._Element, tag: str, text: object = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = str(text)
    return element


def _siecle_root(
    tag: str, version: str, college: CollegeYear
) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(tag, VERSION=version)
    parametres = sub(root, "PARAMETRES")
    sub(parametres, "UAJ", college.uai)
    sub(parametres, "ANNEE_SCOLAIRE", college.year)
    sub(parametres, "DATE_EXPORT", _fr(college.export_date))
    sub(parametres, "HORODATAGE", f"{_fr(college.export_date)} 08:15:00")
    return root, sub(root, "DONNEES")


def serialise(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="ISO-8859-15", xml_declaration=False, pretty_print=True)
    return _DECLARATION + bytes(body)


def write_zip(path: Path, inner_name: str, data: bytes, day: date) -> None:
    info = zipfile.ZipInfo(inner_name, date_time=(day.year, day.month, day.day, 8, 15, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, data)


def eleves_xml(college: CollegeYear) -> bytes:
    root, donnees = _siecle_root("BEE_ELEVES", "3.0", college)
    eleves, options, structures = (sub(donnees, tag) for tag in ("ELEVES", "OPTIONS",
                                                                 "STRUCTURES"))
    for eleve in college.eleves:
        _eleve(eleves, eleve, college)
        ids = {"ELEVE_ID": str(eleve.eleve_id), "ELENOET": str(eleve.elenoet)}
        if eleve.options:
            option = sub(options, "OPTION", **ids)
            for number, subject in enumerate(eleve.options, start=1):
                item = sub(option, "OPTIONS_ELEVE")
                sub(item, "NUM_OPTION", number)
                sub(item, "CODE_MODALITE_ELECT", "O")
                sub(item, "CODE_MATIERE", subject)
        if eleve.division or eleve.groups:
            block = sub(structures, "STRUCTURES_ELEVE", **ids)
            for code, kind in ([(eleve.division, "D")] if eleve.division else []) + [
                    (group, "G") for group in eleve.groups]:
                structure = sub(block, "STRUCTURE")
                sub(structure, "CODE_STRUCTURE", code)
                sub(structure, "TYPE_STRUCTURE", kind)
    return serialise(root)


def _eleve(parent: etree._Element, eleve: Eleve, college: CollegeYear) -> None:
    element = sub(parent, "ELEVE", ELEVE_ID=str(eleve.eleve_id), ELENOET=str(eleve.elenoet))
    sub(element, "ID_NATIONAL", eleve.ine or "")
    sub(element, "INE_RNIE", eleve.ine or "")
    sub(element, "ELENOET", eleve.elenoet)
    sub(element, "ID_ELEVE_ETAB", f"{eleve.elenoet}{college.uai[1:-1]}")  # as Siècle: SE3
    sub(element, "NOM_DE_FAMILLE", eleve.last_name)
    sub(element, "NOM_USAGE", eleve.usage_name or "")
    sub(element, "PRENOM", eleve.first_name)
    for number, other in enumerate(eleve.other_first_names, start=2):
        sub(element, f"PRENOM{number}", other)
    sub(element, "DATE_NAISS", _fr(eleve.birth_date))
    sub(element, "CODE_PAYS", "100")
    sub(element, "CODE_DEPARTEMENT_NAISS", "086")
    sub(element, "CODE_COMMUNE_INSEE_NAISS", "86194")
    sub(element, "VILLE_NAISS", "POITIERS")
    sub(element, "CODE_SEXE", "2" if eleve.female else "1")
    sub(element, "CODE_PAYS_NAT", "100")
    sub(element, "CODE_MEF", MEF_OF_LEVEL[eleve.level])
    sub(element, "CODE_STATUT", "ST")
    sub(element, "CODE_REGIME", "2")
    sub(element, "DOUBLEMENT", "0")
    sub(element, "DATE_ENTREE", _fr(eleve.entry_date))
    if eleve.exit_date:
        sub(element, "DATE_SORTIE", _fr(eleve.exit_date))
        sub(element, "CODE_MOTIF_SORTIE", "DEM")
    previous = sub(element, "SCOLARITE_AN_DERNIER")
    sub(previous, "CODE_STRUCTURE", "")
    sub(previous, "CODE_RNE", college.uai)


def responsables_xml(college: CollegeYear) -> bytes:
    root, donnees = _siecle_root("BEE_RESPONSABLES", "3.0", college)
    personnes, responsables, adresses = (sub(donnees, tag) for tag in (
        "PERSONNES", "RESPONSABLES", "ADRESSES"))
    seen_people: set[int] = set()
    seen_addresses: set[int] = set()
    for eleve in college.eleves:
        for person in eleve.family.responsables:
            link = sub(responsables, "RESPONSABLE_ELEVE")
            sub(link, "ELEVE_ID", eleve.eleve_id)
            sub(link, "PERSONNE_ID", person.personne_id)
            sub(link, "RESP_LEGAL", "1" if person.parente == "20" else
                 "2" if person.level == 1 else "0")
            sub(link, "NIVEAU_RESPONSABILITE", person.level)
            sub(link, "CODE_PARENTE", person.parente)
            sub(link, "RESP_FINANCIER", "1" if person.parente == "20" else "0")
            sub(link, "PERS_CONTACT", "1")
            if person.personne_id not in seen_people:
                seen_people.add(person.personne_id)
                _personne(personnes, person)
            if person.address_id not in seen_addresses:
                seen_addresses.add(person.address_id)
                _address(adresses, person.address_id)
    return serialise(root)


def _personne(parent: etree._Element, person: Responsable) -> None:
    element = sub(parent, "PERSONNE", PERSONNE_ID=str(person.personne_id))
    sub(element, "NOM_DE_FAMILLE", person.birth_name)
    sub(element, "NOM_USAGE", person.last_name)
    sub(element, "PRENOM", person.first_name)
    sub(element, "LC_CIVILITE", person.civility)
    sub(element, "TEL_PORTABLE", person.phone)
    sub(element, "MEL", person.email or "")
    sub(element, "ADRESSE_ID", person.address_id)
    sub(element, "CODE_PROFESSION", "54")


def _address(parent: etree._Element, address_id: int) -> None:
    address = sub(parent, "ADRESSE", ADRESSE_ID=str(address_id))
    sub(address, "LIGNE1_ADRESSE", f"{address_id % 97 + 1} rue des Écoles")
    sub(address, "CODE_POSTAL", "86000")
    sub(address, "LIBELLE_POSTAL", "POITIERS")
    sub(address, "CODE_DEPARTEMENT", "086")
    sub(address, "LL_PAYS", "FRANCE")


def nomenclature_xml(college: CollegeYear) -> bytes:
    root, donnees = _siecle_root("BEE_NOMENCLATURES", "3.1", college)
    add_mefs(donnees, code_attribute="CODE_MEF", mefstat_tag="CODE_MEFSTAT")
    add_subjects(donnees, code_attribute="CODE_MATIERE")
    return serialise(root)


def add_mefs(parent: etree._Element, *, code_attribute: str, mefstat_tag: str) -> None:
    """The MEF nomenclature; Siècle and STS name the code attribute and MEFSTAT differently."""
    mefs = sub(parent, "MEFS")
    for code, label in MEF_LABELS.items():
        mef = sub(mefs, "MEF", **{code_attribute: code})
        sub(mef, "FORMATION", label)
        sub(mef, "LIBELLE_LONG", label)
        sub(mef, mefstat_tag, code[:4] + "0001" + code[8:])


def add_subjects(parent: etree._Element, *, code_attribute: str) -> None:
    """The subject nomenclature: CODE_MATIERE in Siècle, CODE in STS."""
    matieres = sub(parent, "MATIERES")
    for code, gestion, label in SUBJECTS:
        matiere = sub(matieres, "MATIERE", **{code_attribute: code})
        sub(matiere, "CODE_GESTION", gestion)
        sub(matiere, "LIBELLE_COURT", label[:20])
        sub(matiere, "LIBELLE_LONG", label)


def structures_xml(college: CollegeYear) -> bytes:
    root, donnees = _siecle_root("BEE_STRUCTURES", "2.0", college)
    divisions = sub(donnees, "DIVISIONS")
    for code, level in college.divisions.items():
        division = sub(divisions, "DIVISION", CODE_STRUCTURE=code)
        sub(division, "LIBELLE_LONG", code)
        belongs = sub(sub(division, "MEFS_APPARTENANCE"), "MEF_APPARTENANCE")
        sub(belongs, "CODE_MEF", MEF_OF_LEVEL[level])
    groups = sub(donnees, "GROUPES")
    for group in college.groups:
        element = sub(groups, "GROUPE", CODE_STRUCTURE=group.code)
        sub(element, "LIBELLE_LONG", group.label)
        parents = sub(element, "DIVISIONS_APPARTENANCE")
        for parent in group.parent_divisions:
            sub(sub(parents, "DIVISION_APPARTENANCE"), "CODE_STRUCTURE", parent)
    return serialise(root)

