"""AAF reader: the académie directory's feed (root ficAlimMENESR), Complet or Delta deliveries.

One record is an ``addRequest`` (Complet and Delta), ``modifyRequest`` or ``deleteRequest``
(Delta): its category (``operationalAttributes/attr[@name=categoriePersonne|categorieStructure]``:
Eleve, PersEducNat, PersRelEleve, EtabEducNat, MatiereEducNat, MefEducNat), its
``identifier/id`` (the AAF jointure) and its attributes, each with one or more ``value``s; a
compound value separates its fields with ``$``. A modifyRequest lists
``modifications/modification[@name][@operation=replace|add|delete]``. Only the attributes of
USED_ATTRIBUTES leave the parser (addresses, phones, scholarship... are parsed past). The
delivery (Complet or Delta) and its date are in the file name, as the académie names its files
(``ENT_<UAI>_Complet_<AAAAMMJJ>_Eleve_0000.xml``); the split files of one kind are numbered.
Sources: the AAF specification's attribute names as entcore's feeder reads them
(shared/formats/README.md §7 and §9).
"""

from __future__ import annotations

import re

from lxml import etree

from bascule.exports.records import AafChange, AafRecord, ExportFile, ExportKind, Header
from bascule.exports.source import Source, iter_elements

USED_ATTRIBUTES = frozenset({
    # every person
    "ENTPersonJointure", "sn", "givenName", "ENTPersonAutresPrenoms", "ENTPersonNomPatro",
    "ENTPersonDateNaissance", "personalTitle", "ENTPersonStructRattach", "mail",
    # Eleve
    "ENTEleveINE", "ENTEleveStructRattachId", "ENTEleveMEF", "ENTEleveClasses",
    "ENTEleveGroupes", "ENTEleveCodeEnseignements", "ENTElevePersRelEleve",
    "ENTEleveAutoriteParentale",
    # PersEducNat
    "ENTPersonFonctions", "ENTAuxEnsClassesMatieres", "ENTAuxEnsGroupesMatieres",
    "ENTAuxEnsClassesPrincipal", "ENTPersonProfils",
    # PersRelEleve
    "ENTAuxPersRelEleveEleve",
    # EtabEducNat
    "ENTStructureJointure", "ENTStructureUAI", "ENTStructureNomCourant", "ENTStructureClasses",
    "ENTStructureGroupes",
    # MatiereEducNat, MefEducNat
    "ENTMatJointure", "ENTLibelleMatiere", "ENTMefJointure", "ENTLibelleMef",
})
_OPERATIONS = {"addRequest": "add", "modifyRequest": "modify", "deleteRequest": "delete"}
_CATEGORY_ATTRIBUTES = ("categoriePersonne", "categorieStructure")
# ENT_0860999U_Complet_20260902_Eleve_0000.xml, ENT2D.AAF.013.Delta.20260903.Eleve.0001.xml...
_NAME = re.compile(r"(?P<delivery>Complet|Delta)[._-]?(?P<date>\d{8})(?:[._-]?\d{6})?[._-]"
                   r"(?:[A-Za-z]+[._-])*?(?P<kind>[A-Za-z]+)[._-](?P<part>\d{4})\b",
                   re.IGNORECASE)


def read_aaf(source: Source) -> ExportFile:
    """Every record of one AAF file, with its line. Raises UnreadableSource when malformed."""
    delivery, date, part = _from_name(source.name)
    export = ExportFile(
        name=source.name, sha256=source.sha256, kind=ExportKind.AAF,
        header=Header(uai=None, school_year=None, export_date=date,
                      location=source.location(1)),
        aaf_delivery=delivery, aaf_part=part,
    )
    for element in iter_elements(source, tuple(_OPERATIONS)):
        export.aaf.append(_record(source, element))
    return export


def _from_name(name: str) -> tuple[str | None, str | None, int | None]:
    """Delivery (Complet or Delta), its date (DD/MM/YYYY) and the split number, from the name."""
    found = _NAME.search(name.rsplit("/", 1)[-1])
    if found is None:
        return None, None, None
    digits = found.group("date")
    return (found.group("delivery").capitalize(), f"{digits[6:]}/{digits[4:6]}/{digits[:4]}",
            int(found.group("part")))


def _record(source: Source, element: etree._Element) -> AafRecord:
    # One pass over the children (no path lookups): the AAF's records are many and small.
    category = identifier = None
    attributes: dict[str, tuple[str, ...]] = {}
    changes: list[AafChange] = []
    for part in element:
        tag = part.tag
        if tag == "attributes":
            for attr in part:
                name = attr.get("name")
                if name in USED_ATTRIBUTES:
                    values = tuple([value.text or "" for value in attr])
                    attributes[name] = attributes[name] + values if name in attributes else values
        elif tag == "identifier":
            identifier = part.findtext("id")
        elif tag == "operationalAttributes":
            for attr in part:
                if attr.get("name") in _CATEGORY_ATTRIBUTES:
                    category = attr.findtext("value")
        elif tag == "modifications":
            changes.extend(
                AafChange(name=change.get("name") or "",
                          operation=change.get("operation") or "replace", values=_values(change))
                for change in part if change.get("name") in USED_ATTRIBUTES)
    return AafRecord(
        file=source.name, line=element.sourceline, operation=_OPERATIONS[str(element.tag)],
        category=category, identifier=identifier, attributes=attributes, changes=tuple(changes))


def _values(attr: etree._Element) -> tuple[str, ...]:
    return tuple([value.text or "" for value in attr])
