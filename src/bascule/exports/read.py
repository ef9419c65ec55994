"""Recognise each file by its content (root element, not name) and read it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bascule.errors import NOT_AN_EXPORT, error
from bascule.exports.aaf import read_aaf
from bascule.exports.chunks import read_again, with_chunks
from bascule.exports.localcsv import is_local_people_csv, read_local_people
from bascule.exports.records import ExportFile, ExportKind, Header
from bascule.exports.siecle import header as siecle_header
from bascule.exports.siecle import (
    read_eleves,
    read_nomenclature,
    read_responsables,
    read_structures,
)
from bascule.exports.source import (
    DEFAULT_LIMITS,
    ExportLimits,
    Source,
    UnreadableSource,
    check_declared_encoding,
    looks_like_xml,
    open_source,
    root_tag,
    utf16_problem,
)
from bascule.exports.sts import header as sts_header
from bascule.exports.sts import read_sts

_READERS: dict[str, Callable[[Source], ExportFile]] = {
    ExportKind.ELEVES.value: read_eleves,
    ExportKind.RESPONSABLES.value: read_responsables,
    ExportKind.NOMENCLATURE.value: read_nomenclature,
    ExportKind.STRUCTURES.value: read_structures,
    ExportKind.STS.value: read_sts,
    ExportKind.AAF.value: read_aaf,
}

# Files people often give by mistake, with what to give instead.
_WRONG_FILES = {
    "EDT_STS": "C'est le fichier que le logiciel d'emploi du temps envoie à STS-Web. Donnez "
    "l'export de STS-Web : sts_emp_<UAI>_<année>.xml (Exports > Emploi du temps).",
    "TABLE": "C'est un export du logiciel d'emploi du temps. Donnez les exports XML de "
    "Siècle-BEE (Exploitation > Exports standard > Exports XML génériques).",
    "IMPORT_ELEVES": "C'est un fichier destiné à Siècle-BEE, pas un export. Donnez les exports "
    "XML génériques de Siècle-BEE.",
}
_EXPECTED = (
    "Donnez les exports XML de Siècle-BEE (ElevesSansAdresses, ResponsablesAvecAdresses, "
    "Nomenclature, Structures), l'export STS-Web sts_emp_<UAI>_<année>.xml, le CSV des "
    "personnes locales, ou les fichiers AAF de l'académie (ficAlimMENESR)."
)


def read_export(path: Path, limits: ExportLimits = DEFAULT_LIMITS,
                previous: ExportFile | None = None) -> ExportFile:
    """Read one file; `previous`, an earlier read of a file of the same name, gives the records
    whose bytes did not change (exports/chunks.py: the result is the same). Raises
    UnreadableSource (a problem to report) or UserError (no such file)."""
    source = open_source(path, limits)
    _refuse_utf16(source)
    if not looks_like_xml(source):
        if is_local_people_csv(source):
            return read_local_people(source)
        raise UnreadableSource(error(
            NOT_AN_EXPORT, "fichier non reconnu : ni XML, ni CSV des personnes locales",
            source.location(), _EXPECTED,
        ))
    encoding_problem = check_declared_encoding(source)
    if encoding_problem is not None:
        raise UnreadableSource(encoding_problem)
    tag = root_tag(source)
    reader = _READERS.get(tag)
    if reader is None:
        raise UnreadableSource(error(
            NOT_AN_EXPORT, f"fichier non reconnu (élément racine <{tag}>)",
            source.location(1), _WRONG_FILES.get(tag, _EXPECTED),
        ))
    if previous is not None and previous.kind.value == tag:
        again = read_again(source, reader, previous)
        if again is not None:
            return again
    return with_chunks(reader(source), source)


def read_header(path: Path, limits: ExportLimits = DEFAULT_LIMITS
                ) -> tuple[ExportKind, Header | None]:
    """A file's kind and the header it states (UAI, school year, export date), read from its
    first elements only: what tells a drop folder's files of one export apart. The header is
    None for files that carry none (the local-people CSV, AAF files). Raises UnreadableSource
    (a problem to report) or UserError (no such file)."""
    source = open_source(path, limits)
    _refuse_utf16(source)
    if not looks_like_xml(source):
        if is_local_people_csv(source):
            return ExportKind.LOCAL_PEOPLE, None
        raise UnreadableSource(error(NOT_AN_EXPORT, "fichier non reconnu : ni XML, ni CSV "
                                     "des personnes locales", source.location(), _EXPECTED))
    tag = root_tag(source)
    kinds = {kind.value: kind for kind in ExportKind}
    if tag not in _READERS:
        raise UnreadableSource(error(
            NOT_AN_EXPORT, f"fichier non reconnu (élément racine <{tag}>)",
            source.location(1), _WRONG_FILES.get(tag, _EXPECTED)))
    kind = kinds[tag]
    if kind is ExportKind.AAF:
        return kind, None
    if not source.data.rstrip().endswith(f"</{tag}>".encode()):
        raise UnreadableSource(error(
            "xml-tronque", f"le fichier s'arrête avant </{tag}> : tronqué, ou pas encore "
            "entièrement déposé", source.location(), "Attendez la fin du dépôt, ou refaites "
            "l'export."))
    return kind, (sts_header if kind is ExportKind.STS else siecle_header)(source)


def _refuse_utf16(source: Source) -> None:
    problem = utf16_problem(source)
    if problem is not None:
        raise UnreadableSource(problem)
