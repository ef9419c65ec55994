"""STS-Web sts_emp (UAI and year as attributes, ISO dates) and the local-people CSV."""

from __future__ import annotations

import csv
import io

from lxml import etree

from bascule.synthetic.college import MEF_OF_LEVEL, SUBJECTS, CollegeYear, Staff
from bascule.synthetic.writers import add_mefs, add_subjects, serialise, sub


def sts_xml(college: CollegeYear) -> bytes:
    root = etree.Element("STS_EDT")
    parametres = sub(root, "PARAMETRES")
    uaj = sub(parametres, "UAJ", CODE=college.uai)
    academie = sub(uaj, "ACADEMIE")
    sub(academie, "CODE", "13")
    sub(academie, "LIBELLE", "POITIERS")
    sub(uaj, "DENOM_PRINC", "COLLEGE")
    sub(uaj, "DENOM_COMPL", college.name.upper())
    year = sub(parametres, "ANNEE_SCOLAIRE", ANNEE=str(college.year))
    sub(year, "DATE_DEBUT", f"{college.year}-09-01")
    sub(year, "DATE_FIN", f"{college.year + 1}-07-04")
    nomenclatures = sub(root, "NOMENCLATURES")
    add_subjects(nomenclatures, code_attribute="CODE")
    add_mefs(nomenclatures, code_attribute="CODE", mefstat_tag="MEFSTAT11")
    donnees = sub(root, "DONNEES")
    individus = sub(donnees, "INDIVIDUS")
    for member in college.staff:
        _individu(individus, member, college)
    _structures(sub(donnees, "STRUCTURE"), college)
    return serialise(root)


def _individu(parent: etree._Element, member: Staff, college: CollegeYear) -> None:
    element = sub(parent, "INDIVIDU", ID=str(member.staff_id), TYPE=member.type)
    local = member.type == "local"
    if not local:
        sub(element, "SEXE", "2" if member.female else "1")
    sub(element, "CIVILITE", "2" if member.female else "1")
    sub(element, "NOM_USAGE", member.last_name)
    if not local:
        sub(element, "NOM_PATRONYMIQUE", member.last_name)
    sub(element, "PRENOM", member.first_name)
    if member.birth_date:
        sub(element, "DATE_NAISSANCE", member.birth_date.isoformat())
    sub(element, "GRADE", "CERT. CL N" if member.function == "ENS" else "ATTACHE")
    sub(element, "FONCTION", member.function)
    if member.pp_of:
        profs = sub(element, "PROFS_PRINC")
        for code in member.pp_of:
            pp = sub(profs, "PROF_PRINC")
            sub(pp, "CODE_STRUCTURE", code)
            sub(pp, "DATE_DEBUT", f"{college.year}-09-01")
            sub(pp, "DATE_FIN", f"{college.year + 1}-07-04")
    if member.subject:
        discipline = sub(sub(element, "DISCIPLINES"), "DISCIPLINE", CODE=f"L{member.subject[:4]}")
        sub(discipline, "LIBELLE_COURT", dict((c, lbl) for c, _g, lbl in SUBJECTS)[member.subject])
        sub(discipline, "NB_HEURES", "18")


def _structures(structure: etree._Element, college: CollegeYear) -> None:
    services_of: dict[str, list[tuple[str, Staff]]] = {}
    for service in college.services:
        services_of.setdefault(service.structure, []).append((service.subject, service.teacher))
    divisions = sub(structure, "DIVISIONS")
    for code, level in college.divisions.items():
        division = sub(divisions, "DIVISION", CODE=code)
        sub(division, "LIBELLE_LONG", code)
        sub(division, "EFFECTIF_PREVU", "26")
        sub(sub(division, "MEFS_APPARTENANCE"), "MEF_APPARTENANCE", CODE=MEF_OF_LEVEL[level])
        _services(division, services_of.get(code, []))
    groups = sub(structure, "GROUPES")
    for group in college.groups:
        element = sub(groups, "GROUPE", CODE=group.code)
        sub(element, "LIBELLE_LONG", group.label)
        parents = sub(element, "DIVISIONS_APPARTENANCE")
        for parent in group.parent_divisions:
            sub(parents, "DIVISION_APPARTENANCE", CODE=parent)
        _services(element, services_of.get(group.code, []))


def _services(parent: etree._Element, services: list[tuple[str, Staff]]) -> None:
    if not services:
        return
    container = sub(parent, "SERVICES")
    for subject, teacher in services:
        service = sub(container, "SERVICE", CODE_MATIERE=subject, CODE_MOD_COURS="CG")
        sub(service, "HEURES_STRUCTURE", "3.00")
        # Teachers' attributes come in either order in real files.
        attributes = ({"TYPE": teacher.type, "ID": str(teacher.staff_id)}
                      if teacher.staff_id % 2 else
                      {"ID": str(teacher.staff_id), "TYPE": teacher.type})
        sub(sub(service, "ENSEIGNANTS"), "ENSEIGNANT", **attributes)


def local_people_csv(college: CollegeYear) -> bytes:
    """UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["identifiant", "nom", "prenom", "fonction", "date_naissance", "email"])
    for person in college.local_people:
        writer.writerow([person.identifier, person.last_name, person.first_name, person.function,
                         person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
                         person.email or ""])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
