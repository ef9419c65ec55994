"""The ENT feed: an AAF-style full export (ficAlimMENESR) as Open ENT NG's feeder reads it:
Eleve, PersEducNat, PersRelEleve and EtabEducNat files of addRequest records, UTF-8, with
classes, groups, subjects taught, professeurs principaux and parents' links. bascule is the
source: its feed ids are the jointures, the UAI the structure's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from lxml import etree

from bascule.feeds.store import FeedPerson, FeedSchool

DOCTYPE = '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">'
VERSION_COMMENT = ' versionAF="AAF-VE1301" '
_FUNCTIONS = {"enseignant": ("ENS", "ENSEIGNEMENT"), "documentation": ("DOC", "DOCUMENTATION"),
              "direction": ("DIR", "DIRECTION"), "vie_scolaire": ("EDU", "EDUCATION"),
              "administratif": ("ADF", "ADMINISTRATION")}


def _record(category: str, identifier: str, attributes: Iterable[tuple[str, list[str]]],
            *, structure: bool = False) -> etree._Element:
    request = etree.Element("addRequest")
    operational = etree.SubElement(request, "operationalAttributes")
    attr = etree.SubElement(operational, "attr",
                            name="categorieStructure" if structure else "categoriePersonne")
    etree.SubElement(attr, "value").text = category
    etree.SubElement(etree.SubElement(request, "identifier"), "id").text = identifier
    container = etree.SubElement(request, "attributes")
    for name, values in attributes:
        if values:
            element = etree.SubElement(container, "attr", name=name)
            for value in values:
                etree.SubElement(element, "value").text = value
    return request


def _date(person: FeedPerson) -> list[str]:
    return [f"{person.birth_date:%d/%m/%Y}"] if person.birth_date else []


def _identity(person: FeedPerson, uai: str) -> list[tuple[str, list[str]]]:
    return [("ENTPersonJointure", [person.feed_id]), ("sn", [person.last_name]),
            ("givenName", [person.first_name]), ("ENTPersonAutresPrenoms", [person.first_name]),
            ("ENTPersonNomPatro", [person.birth_name] if person.birth_name else []),
            ("ENTPersonDateNaissance", _date(person)), ("ENTPersonStructRattach", [uai])]


def eleves(school: FeedSchool) -> list[etree._Element]:
    structures: dict[str, list[str]] = defaultdict(list)
    for key, target in sorted(school.facts.members):
        structures[key].append(target)
    parents: dict[str, list[str]] = defaultdict(list)
    ids = {p.key: p.feed_id for p in school.people}
    for responsable, eleve, level in sorted(school.facts.guardians):
        if responsable in ids:
            legal = "1" if level == 1 else "0"
            parents[eleve].append(f"{ids[responsable]}$90${legal}${legal}$1$0")
    records = []
    for person in (p for p in school.people if p.profile == "eleve"):
        mine = structures[person.key]
        division = next((t[2:] for t in mine if t.startswith("D:")), None)
        mefs = school.facts.divisions.get(division, ("", ()))[1] if division else ()
        records.append(_record("Eleve", person.feed_id, [
            *_identity(person, school.uai),
            ("ENTEleveMEF", list(mefs[:1])),
            ("ENTEleveLibelleMEF", [school.mefs.get(m, m) for m in mefs[:1]]),
            ("ENTEleveClasses", [f"{school.uai}${t[2:]}" for t in mine if t.startswith("D:")]),
            ("ENTEleveGroupes", [f"{school.uai}${t[2:]}" for t in mine if t.startswith("G:")]),
            ("ENTElevePersRelEleve", parents[person.key]),
        ]))
    return records


def personnels(school: FeedSchool) -> list[etree._Element]:
    services: dict[str, list[str]] = defaultdict(list)
    for teacher, structure, subject in sorted(school.facts.services):
        services[teacher].append(f"{structure[0]}${school.uai}${structure[2:]}${subject}")
    principal: dict[str, list[str]] = defaultdict(list)
    for teacher, division in sorted(school.facts.profs_principaux):
        principal[teacher].append(f"{school.uai}${division}")
    records = []
    for person in school.people:
        if person.profile not in _FUNCTIONS:
            continue
        code, label = _FUNCTIONS[person.profile]
        records.append(_record("PersEducNat", person.feed_id, [
            *_identity(person, school.uai), ("mail", [person.email] if person.email else []),
            ("ENTPersonFonctions", [f"{school.uai}${person.function or code}${label}$$"]),
            ("ENTAuxEnsClassesMatieres", [v[2:] for v in services[person.key]
                                          if v.startswith("D$")]),
            ("ENTAuxEnsGroupesMatieres", [v[2:] for v in services[person.key]
                                          if v.startswith("G$")]),
            ("ENTAuxEnsClassesPrincipal", principal[person.key]),
            ("PersEducNatPresenceDevantEleves",
             ["O" if person.profile == "enseignant" else "N"]),
        ]))
    return records


def parents(school: FeedSchool) -> list[etree._Element]:
    ids = {p.key: p.feed_id for p in school.people}
    children: dict[str, list[str]] = defaultdict(list)
    for responsable, eleve, _level in sorted(school.facts.guardians):
        if eleve in ids:
            children[responsable].append(ids[eleve])
    return [_record("PersRelEleve", person.feed_id, [
        ("ENTPersonJointure", [person.feed_id]), ("sn", [person.last_name]),
        ("givenName", [person.first_name]), ("mail", [person.email] if person.email else []),
        ("ENTAuxPersRelEleveEleve", children[person.key])])
        for person in school.people if person.profile == "responsable"]


def etablissement(school: FeedSchool) -> list[etree._Element]:
    return [_record("Etablissement", school.uai, [
        ("ENTStructureJointure", [school.uai]), ("ENTStructureUAI", [school.uai]),
        ("ENTStructureNomCourant", [school.name]), ("ENTStructureTypeStruct", ["CLG"]),
        ("ENTStructureClasses", [f"{code}${label}" for code, (label, _m)
                                 in sorted(school.facts.divisions.items())]),
        ("ENTStructureGroupes", [f"{code}${label}" for code, (label, _p)
                                 in sorted(school.facts.groups.items())]),
    ], structure=True)]


KINDS = {"Eleve": eleves, "PersEducNat": personnels, "PersRelEleve": parents,
         "EtabEducNat": etablissement}


def export_aaf(school: FeedSchool, out: Path, *, now: datetime) -> dict[str, Path]:
    """One file per kind, named as EOLE names them."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, build in KINDS.items():
        root = etree.Element("ficAlimMENESR")
        root.append(etree.Comment(VERSION_COMMENT))
        root.extend(build(school))
        path = out / f"ENT_{school.uai}_Complet_{now:%Y%m%d}_{kind}_0000.xml"
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                        doctype=DOCTYPE, pretty_print=True))
        written[kind] = path
    return written
