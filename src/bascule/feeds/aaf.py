"""The ENT feed: a full AAF delivery (ficAlimMENESR, "Complet") like the académie's: Eleve,
PersEducNat, PersRelEleve, EtabEducNat, MatiereEducNat and MefEducNat files of addRequest
records, UTF-8, named as EOLE names them. bascule is the source: its feed ids are the persons'
jointures (``ENTPersonJointure``), the school's UAI its structure jointure. The codes are those of
the specification's value lists: ``categorieStructure`` EtabEducNat, ``personalTitle`` M. / Mme,
the parent link (``ENTElevePersRelEleve``: ``<id>$<lien>$<financier>$<légal>$<contact>$<paiement>``)
with Siècle's CODE_PARENTE (10 mère, 20 père, 50 tuteur, 90 autre...), the functions
(``ENTPersonFonctions``: ``<structure>$<code>$<libellé>$<discipline>$<libellé>``) and the
national profiles (``ENTPersonProfils``). Read back by exports.aaf, it gives the same campaign.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from lxml import etree

from bascule.feeds.details import FeedDetails
from bascule.feeds.store import FeedPerson, FeedSchool

DOCTYPE = '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">'
VERSION_COMMENT = ' versionAF="AAF-VE1803" '
_FUNCTION_LABELS = {"ENS": "ENSEIGNEMENT", "DOC": "DOCUMENTATION", "DIR": "DIRECTION",
                    "EDU": "EDUCATION", "ADF": "ADMINISTRATION", "AED": "ASSISTANT D'EDUCATION",
                    "SUR": "SURVEILLANCE", "LAB": "LABORATOIRE", "OUV": "OUVRIER",
                    "MDS": "MEDICO-SOCIAL", "ORI": "ORIENTATION"}
_DEFAULT_FUNCTION = {"enseignant": "ENS", "documentation": "DOC", "direction": "DIR",
                     "vie_scolaire": "EDU", "administratif": "ADF"}
# ENTPersonProfils: the national profiles of the AAF.
_PROFILES = {"eleve": "National_ELV", "responsable": "National_TUT", "enseignant": "National_ENS",
             "documentation": "National_DOC", "direction": "National_DIR",
             "vie_scolaire": "National_EVS", "administratif": "National_ETA"}
_NONE = FeedDetails()


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


def _identity(person: FeedPerson, school: FeedSchool) -> list[tuple[str, list[str]]]:
    details = school.details.get(person.key, _NONE)
    return [("ENTPersonJointure", [person.feed_id]), ("sn", [person.last_name]),
            ("givenName", [person.first_name]),
            ("ENTPersonAutresPrenoms", list(details.first_names or (person.first_name,))),
            ("ENTPersonNomPatro", [person.birth_name] if person.birth_name else []),
            ("ENTPersonDateNaissance", _date(person)),
            ("personalTitle", [details.title] if details.title else []),
            ("ENTPersonStructRattach", [school.uai]),
            ("ENTPersonProfils", [_PROFILES[person.profile]] if person.profile in _PROFILES
             else [])]


def _parent_links(school: FeedSchool) -> dict[str, list[str]]:
    """ENTElevePersRelEleve of each élève: legal representatives numbered 1, 2 (respLegal)."""
    ids = {p.key: p.feed_id for p in school.people}
    links: dict[str, list[str]] = defaultdict(list)
    for responsable, eleve, level in sorted(school.facts.guardians):
        if responsable not in ids:
            continue
        lien = school.parente.get((responsable, eleve), "90")
        legal = level == 1
        rank = sum(1 for v in links[eleve] if v.split("$")[3] != "0") + 1 if legal else 0
        contact = "1" if legal or level == 3 else "0"
        links[eleve].append(f"{ids[responsable]}${lien}${int(legal)}${rank}${contact}$0")
    return links


def eleves(school: FeedSchool) -> list[etree._Element]:
    structures: dict[str, list[str]] = defaultdict(list)
    for key, target in sorted(school.facts.members):
        structures[key].append(target)
    parents = _parent_links(school)
    records = []
    for person in (p for p in school.people if p.profile == "eleve"):
        details = school.details.get(person.key, _NONE)
        mine = structures[person.key]
        division = next((t[2:] for t in mine if t.startswith("D:")), None)
        mefs = school.facts.divisions.get(division, ("", ()))[1] if division else ()
        mef = details.mef or (mefs[0] if mefs else None)
        records.append(_record("Eleve", person.feed_id, [
            *_identity(person, school),
            ("ENTEleveStructRattachId", [details.eleve_id] if details.eleve_id else []),
            ("ENTEleveINE", [details.ine] if details.ine else []),
            ("ENTEleveMEF", [mef] if mef else []),
            ("ENTEleveLibelleMEF", [school.mefs.get(mef, mef)] if mef else []),
            ("ENTEleveClasses", [f"{school.uai}${t[2:]}" for t in mine if t.startswith("D:")]),
            ("ENTEleveGroupes", [f"{school.uai}${t[2:]}" for t in mine if t.startswith("G:")]),
            ("ENTEleveCodeEnseignements", list(details.subjects)),
            ("ENTElevePersRelEleve", parents[person.key]),
        ]))
    return records


def _function(person: FeedPerson, school: FeedSchool) -> str:
    code = person.function or _DEFAULT_FUNCTION[person.profile]
    disciplines = school.details.get(person.key, _NONE).disciplines
    discipline = disciplines[0] if disciplines else ""
    return f"{school.uai}${code}${_FUNCTION_LABELS.get(code, code)}${discipline}$"


def personnels(school: FeedSchool) -> list[etree._Element]:
    services: dict[str, list[str]] = defaultdict(list)
    for teacher, structure, subject in sorted(school.facts.services):
        services[teacher].append(f"{structure[0]}${school.uai}${structure[2:]}${subject}")
    principal: dict[str, list[str]] = defaultdict(list)
    for teacher, division in sorted(school.facts.profs_principaux):
        principal[teacher].append(f"{school.uai}${division}")
    records = []
    for person in school.people:
        if person.profile not in _DEFAULT_FUNCTION:
            continue
        records.append(_record("PersEducNat", person.feed_id, [
            *_identity(person, school), ("mail", [person.email] if person.email else []),
            ("ENTPersonFonctions", [_function(person, school)]),
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
        *(pair for pair in _identity(person, school) if pair[0] != "ENTPersonStructRattach"),
        ("mail", [person.email] if person.email else []),
        ("ENTAuxPersRelEleveEleve", children[person.key])])
        for person in school.people if person.profile == "responsable"]


def etablissement(school: FeedSchool) -> list[etree._Element]:
    return [_record("EtabEducNat", school.uai, [
        ("ENTStructureJointure", [school.uai]), ("ENTStructureUAI", [school.uai]),
        ("ENTStructureNomCourant", [school.name]), ("ENTStructureTypeStruct", ["CLG"]),
        ("ENTStructureClasses", [f"{code}${label or ''}" for code, (label, _m)
                                 in sorted(school.facts.divisions.items())]),
        ("ENTStructureGroupes", [f"{code}${label or ''}" for code, (label, _p)
                                 in sorted(school.facts.groups.items())]),
    ], structure=True)]


def matieres(school: FeedSchool) -> list[etree._Element]:
    return [_record("MatiereEducNat", code, [("ENTMatJointure", [code]),
                                              ("ENTLibelleMatiere", [label])], structure=True)
            for code, label in sorted(school.subjects.items())]


def mefs(school: FeedSchool) -> list[etree._Element]:
    return [_record("MefEducNat", code, [("ENTMefJointure", [code]),
                                         ("ENTLibelleMef", [label])], structure=True)
            for code, label in sorted(school.mefs.items())]


KINDS = {"Eleve": eleves, "PersEducNat": personnels, "PersRelEleve": parents,
         "EtabEducNat": etablissement, "MatiereEducNat": matieres, "MefEducNat": mefs}


def export_aaf(school: FeedSchool, out: Path, *, now: datetime) -> dict[str, Path]:
    """One file per kind, named as EOLE names them: ENT_<UAI>_Complet_<AAAAMMJJ>_<kind>_0000."""
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
