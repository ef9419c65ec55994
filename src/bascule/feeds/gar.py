"""The GAR-ENT files (second degree, schema v1.7): Eleve, Enseignant, Etab, Groupe, RespAff, in
the schema's element order, UTF-8 and namespaced; split past a number of nodes, named and packed
as the ENT connectors do (`<ENT>_GAR-ENT_Complet_<stamp>_2D_<Type>_<NNNN>.xml`, a .tar.gz and
its .md5). Every file is validated against the official XSD before anything is written: an
invalid record is reported with the person or group it is about."""

from __future__ import annotations

import copy
import hashlib
import io
import tarfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from lxml import etree

from bascule.errors import UserError
from bascule.feeds.store import FeedPerson, FeedSchool

NS = "http://data.education.fr/ns/gar"
VERSION = "1.0"
MAX_NODES = 10_000
_PROFILES = {"eleve": "National_elv", "enseignant": "National_ens",
             "documentation": "National_doc", "direction": "National_dir",
             "vie_scolaire": "National_evs", "administratif": "National_eta"}
TYPES = ("Eleve", "Enseignant", "Etab", "Groupe", "RespAff")


def _e(tag: str, *children: etree._Element | None, text: str | None = None
       ) -> etree._Element:
    element = etree.Element(f"{{{NS}}}{tag}")
    if text is not None:
        element.text = text
    element.extend(child for child in children if child is not None)
    return element


def _t(tag: str, text: str | None) -> etree._Element | None:
    return _e(tag, text=text) if text else None


@dataclass(frozen=True, slots=True)
class Node:
    """One record of a file, with whom it is about (for an error message)."""

    element: etree._Element
    about: str


def _identity(person: FeedPerson, uai: str) -> list[etree._Element | None]:
    return [_t("GARPersonIdentifiant", person.feed_id),
            _e("GARPersonProfils", _t("GARStructureUAI", uai),
               _t("GARPersonProfil", _PROFILES.get(person.profile, "National_eta"))),
            _t("GARPersonNomPatro", person.birth_name),
            _t("GARPersonNom", person.last_name), _t("GARPersonPrenom", person.first_name),
            _t("GARPersonAutresPrenoms", person.first_name),
            _t("GARPersonStructRattach", uai)]


def _label(person: FeedPerson) -> str:
    return f"{person.last_name} {person.first_name} ({person.key})"


def eleve_nodes(school: FeedSchool) -> Iterator[Node]:
    eleves = [p for p in school.people if p.profile == "eleve"]
    division_of = school.facts.division_of()
    for person in eleves:
        yield Node(_e("GAREleve", *_identity(person, school.uai),
                      _t("GARPersonEtab", school.uai),
                      _t("GARPersonDateNaissance",
                         person.birth_date.isoformat() if person.birth_date else None)),
                   _label(person))
    for person in eleves:
        division = division_of.get(person.key)
        mefs = school.facts.divisions.get(division, ("", ()))[1] if division else ()
        if mefs:
            yield Node(_e("GARPersonMEF", _t("GARStructureUAI", school.uai),
                          _t("GARPersonIdentifiant", person.feed_id),
                          _t("GARMEFCode", mefs[0])), _label(person))


def enseignant_nodes(school: FeedSchool) -> Iterator[Node]:
    for person in school.people:
        if person.profile in ("eleve", "responsable"):
            continue
        yield Node(_e("GAREnseignant", *_identity(person, school.uai),
                      _t("GARPersonEtab", school.uai),
                      _t("GARPersonDateNaissance",
                         person.birth_date.isoformat() if person.birth_date else None),
                      _t("GARPersonMail", person.email)), _label(person))


def etab_nodes(school: FeedSchool) -> Iterator[Node]:
    yield Node(_e("GAREtab", _t("GARStructureUAI", school.uai),
                  _t("GARStructureNomCourant", school.name)), school.uai)
    used = sorted({mef for _label_, mefs in school.facts.divisions.values() for mef in mefs})
    for code in used:
        yield Node(_e("GARMEF", _t("GARStructureUAI", school.uai), _t("GARMEFCode", code),
                      _t("GARMEFLibelle", school.mefs.get(code, code))), f"MEF {code}")
    taught = sorted({subject for _t_, _s, subject in school.facts.services})
    for code in taught:
        yield Node(_e("GARMatiere", _t("GARStructureUAI", school.uai),
                      _t("GARMatiereCode", code),
                      _t("GARMatiereLibelle", school.subjects.get(code, code))),
                   f"matière {code}")


def groupe_nodes(school: FeedSchool) -> Iterator[Node]:
    for code, (label, _mefs) in sorted(school.facts.divisions.items()):
        yield Node(_e("GARGroupe", _t("GARGroupeCode", code), _t("GARStructureUAI", school.uai),
                      _t("GARGroupeLibelle", label or code),
                      _t("GARGroupeStatut", "DIVISION")), f"division {code}")
    for code, (label, parents) in sorted(school.facts.groups.items()):
        yield Node(_e("GARGroupe", _t("GARGroupeCode", code), _t("GARStructureUAI", school.uai),
                      _t("GARGroupeLibelle", label or code), _t("GARGroupeStatut", "GROUPE"),
                      *(_t("GARGroupeDivAppartenance", parent) for parent in parents)),
                   f"groupe {code}")
    ids = {p.key: p.feed_id for p in school.people}
    taught = {(teacher, structure) for teacher, structure, _s in school.facts.services}
    for key, structure in sorted(school.facts.members | taught):
        if key in ids:
            yield Node(_e("GARPersonGroupe", _t("GARStructureUAI", school.uai),
                          _t("GARPersonIdentifiant", ids[key]),
                          _t("GARGroupeCode", structure[2:])), f"{key} dans {structure[2:]}")
    subjects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for teacher, structure, subject in school.facts.services:
        subjects[teacher, structure].add(subject)
    for kind, tag in (("G", "GAREnsGroupeMatiere"), ("D", "GAREnsClasseMatiere")):
        for (teacher, structure), codes in sorted(subjects.items()):
            if structure.startswith(f"{kind}:") and teacher in ids:
                yield Node(_e(tag, _t("GARStructureUAI", school.uai),
                              _t("GARPersonIdentifiant", ids[teacher]),
                              _t("GARGroupeCode", structure[2:]),
                              *(_t("GARMatiereCode", code) for code in sorted(codes))),
                           f"{teacher} en {structure[2:]}")


def respaff_nodes(school: FeedSchool) -> Iterator[Node]:
    for person in school.gar_delegates:
        if not person.email:
            raise UserError(
                f"{school.uai} : {person.last_name} {person.first_name} est responsable "
                "d'affectation GAR mais n'a pas d'adresse e-mail : le GAR en exige une.",
                hint="Renseignez son adresse académique (STS-Web, ou la colonne email des "
                     "personnes locales), refaites l'import, ou retirez la délégation.")
        yield Node(_e("GARRespAff", _t("GARPersonIdentifiant", person.feed_id),
                      _t("GARPersonNom", person.last_name),
                      _t("GARPersonPrenom", person.first_name),
                      _t("GARPersonMail", person.email), _t("GARRespAffEtab", school.uai)),
                   _label(person))


_BUILDERS = {"Eleve": eleve_nodes, "Enseignant": enseignant_nodes, "Etab": etab_nodes,
             "Groupe": groupe_nodes, "RespAff": respaff_nodes}


def schema() -> etree.XMLSchema:
    source = resources.files("bascule") / "data" / "gar" / "GAR-ENT.xsd"
    return etree.XMLSchema(etree.parse(io.BytesIO(source.read_bytes())))


# Each file's elements, in the order its schema's sequence requires.
ORDER = {"Eleve": ("GAREleve", "GARPersonMEF", "GAREleveEnseignement"),
         "Enseignant": ("GAREnseignant", "GARPersonMEF"),
         "Etab": ("GAREtab", "GARMEF", "GARMatiere"),
         "Groupe": ("GARGroupe", "GARPersonGroupe", "GAREnsGroupeMatiere", "GAREnsClasseMatiere"),
         "RespAff": ("GARRespAff",)}


def documents(schools: Iterable[FeedSchool], kind: str, max_nodes: int
              ) -> list[list[Node]]:
    """The records of one file type, of every school, in schema order, a list per file."""
    order = ORDER[kind]
    nodes = sorted((node for school in schools for node in _BUILDERS[kind](school)),
                   key=lambda node: order.index(etree.QName(node.element).localname))
    return [nodes[start:start + max_nodes] for start in range(0, max(len(nodes), 1), max_nodes)]


def _root(kind: str, nodes: list[Node]) -> etree._Element:
    root = etree.Element(f"{{{NS}}}GAR-ENT-{kind}", nsmap={"men": NS}, Version=VERSION)
    root.extend(node.element for node in nodes)
    return root


def validated(kind: str, nodes: list[Node], xsd: etree.XMLSchema) -> bytes:
    root = _root(kind, nodes)
    if not xsd.validate(root):
        about, message = _first_invalid(kind, nodes, xsd, str(xsd.error_log[0].message))
        raise UserError(f"Fichier GAR « {kind} » invalide ({about}) : {message}",
                        hint="Corrigez la donnée à la source, refaites l'import : rien n'a "
                             "été écrit.")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _first_invalid(kind: str, nodes: list[Node], xsd: etree.XMLSchema,
                   whole: str) -> tuple[str, str]:
    """The record at fault: each alone in a file of its kind (only once the whole failed)."""
    for node in nodes:
        alone = _root(kind, [Node(copy.deepcopy(node.element), node.about)])
        if not xsd.validate(alone):
            return node.about, str(xsd.error_log[0].message)
    return "ordre des éléments", whole


@dataclass(frozen=True, slots=True)
class GarExport:
    files: list[Path]
    archive: Path
    checksum: Path
    counts: dict[str, int]  # elements per file type
    # The records themselves per type (GAREleve, GAREtab…, not their GARPersonMEF or links):
    # people and structures, for people
    records: dict[str, int] = field(default_factory=dict)
    teachers: int = 0  # of the GAREnseignant records (every staff member), the enseignants
    without_delegate: tuple[str, ...] = ()  # schools where nobody may assign GAR resources


def export_gar(schools: list[FeedSchool], out: Path, *, ent: str, now: datetime,
               max_nodes: int = MAX_NODES) -> GarExport:
    xsd = schema()
    stamp = f"{now:%Y%m%d_%H%M%S}"
    prefix = f"{ent}_GAR-ENT_Complet_{stamp}_2D"
    contents: dict[str, bytes] = {}
    counts, records = {}, {}
    for kind in TYPES:
        parts = documents(schools, kind, max_nodes)
        counts[kind] = sum(len(part) for part in parts)
        records[kind] = sum(1 for part in parts for node in part
                            if etree.QName(node.element).localname == f"GAR{kind}")
        for number, part in enumerate(parts, start=1):
            contents[f"{prefix}_{kind}_{number:04d}.xml"] = validated(kind, part, xsd)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, data in contents.items():
        (out / name).write_bytes(data)
        files.append(out / name)
    archive = out / f"{ent}_GAR-ENT_Complet_{stamp}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.name)
    checksum = archive.with_name(archive.name + ".md5")
    checksum.write_text(f"{hashlib.md5(archive.read_bytes()).hexdigest()}  {archive.name}\n",
                        encoding="utf-8")
    teachers = sum(1 for school in schools for person in school.people
                   if person.profile == "enseignant")
    return GarExport(files=files, archive=archive, checksum=checksum, counts=counts,
                     records=records, teachers=teachers,
                     without_delegate=tuple(school.uai for school in schools
                                            if not school.gar_delegates))
