"""Opening an export: bare file or single-file zip, sniffed by magic bytes, never by name.

This is also the one place where XML is parsed (root_tag and iter_elements, with the same
options): entity resolution, DTD loading and network access off, streaming, decoded by the
file's own declaration (a Latin one converted to UTF-8 by Python's codec first: as_utf8).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lxml import etree

from bascule.errors import Location, Problem, UserError, error

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_MIB = 1024 * 1024
_CHUNK = _MIB  # what one inflate step may produce: memory stays bounded whatever the header says
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_LATIN_ENCODINGS = {"iso-8859-15", "iso8859-15", "latin-9", "latin9", "iso-8859-1", "latin1"}

# Records a reader may count against the budget beyond a file's own (its PARAMETRES; an STS
# service within its structure): a file taken again without reading it, whole (a kept file)
# or in part (exports/chunks.py), is taken only with this much room to spare, never where
# reading it might be refused for too many records (close to the limit, it is read).
BUDGET_ROOM = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportLimits:
    """How large one export may be, in bytes once inflated, and how much a zip may inflate.

    A real Siècle-BEE or STS-Web export is a few MB and its zip inflates 5 to 20 times; a zip
    bomb inflates hundreds or thousands of times. Both limits are settings (import.*).
    The ratio is checked only past the first MB, where it means something.
    """

    max_bytes: int = 16 * _MIB
    max_ratio: int = 100
    # Records (élèves, options, personnes, links, services…) of one whole import, all files
    # together: a collège of 1,000 élèves has about 10,000, a lycée of 4,000 about 40,000.
    max_records: int = 50_000
    # Elements of one file: libxml2 keeps ~130 bytes for each until the record holding it is
    # done, so markup, not bytes, is what fills memory. A lycée's biggest file has ~250,000.
    max_elements: int = 400_000


DEFAULT_LIMITS = ExportLimits()


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one export and the name to show the user (``a.zip/inner.xml`` for a zip)."""

    name: str
    data: bytes
    sha256: str
    limits: ExportLimits = DEFAULT_LIMITS
    packed: bytes | None = None  # a zip's own bytes (`data` is its one file, inflated)

    def location(self, line: int | None = None, record: str | None = None) -> Location:
        return Location(file=self.name, line=line, record=record)


class UnreadableSource(Exception):
    """The file cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def open_source(path: Path, limits: ExportLimits = DEFAULT_LIMITS) -> Source:
    """Read a file, unwrapping a single-file zip, never holding more than `limits` allow.
    Raises UnreadableSource or UserError."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise UnreadableSource(_too_large(path.name, path.name, limits))
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(
            f"Fichier introuvable : {path}", hint="Vérifiez le chemin du fichier."
        ) from exc
    except PermissionError as exc:
        raise UserError(f"Lecture de {path} refusée (droits d'accès).",
                        hint="Donnez à bascule le droit de lire ce fichier.") from exc
    except OSError as exc:
        raise UserError(f"Impossible de lire {path} : {exc.strerror}",
                        hint="Vérifiez le fichier et le disque.") from exc
    if raw.startswith(_ZIP_MAGIC):
        return _unzip_single(path.name, raw, limits)
    return Source(name=path.name, data=raw, sha256=hashlib.sha256(raw).hexdigest(),
                  limits=limits)


def _too_large(name: str, inner: str, limits: ExportLimits) -> Problem:
    return error(
        "fichier-trop-gros",
        f"le fichier {inner} dépasse {limits.max_bytes // _MIB} Mo"
        + (" une fois décompressé" if inner != name else ""),
        Location(file=name),
        "Un export Siècle-BEE ou STS-Web pèse quelques Mo : vérifiez que c'est le bon fichier "
        "et refaites l'export. Si l'établissement est vraiment si grand, relevez "
        "import.max_export_mo dans bascule.toml.",
    )


def _unzip_single(name: str, raw: bytes, limits: ExportLimits) -> Source:
    location = Location(file=name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as exc:
        raise UnreadableSource(_bad_zip(location)) from exc
    if len(entries) != 1:
        found = ", ".join(info.filename for info in entries) or "aucun fichier"
        raise UnreadableSource(
            error("zip-entrees",
                  f"l'archive doit contenir exactement un fichier XML, elle en contient "
                  f"{len(entries)} ({found})",
                  location,
                  "Donnez l'archive telle que Siècle-BEE la produit, ou le fichier XML seul.")
        )
    entry = entries[0]
    if entry.file_size > limits.max_bytes:  # the header says so: no need to inflate a byte
        raise UnreadableSource(_too_large(name, entry.filename, limits))
    data = _inflate(archive, entry, len(raw), limits, location)
    digest = hashlib.sha256(raw).hexdigest()
    return Source(name=f"{name}/{entry.filename}", data=data, sha256=digest, limits=limits,
                  packed=raw)


def given_bytes(source: Source) -> bytes:
    """The file as given, to open again later (`given_data`): a zip's own bytes (nothing to
    do), else its XML compressed by zlib's fastest level."""
    return source.packed if source.packed is not None else zlib.compress(source.data, 1)


def given_data(name: str, given: bytes, limits: ExportLimits) -> bytes | None:
    """The XML of a file kept by `given_bytes` (`name`: a zip's own name), within `limits` as
    any file read; None if it cannot be had."""
    if given.startswith(_ZIP_MAGIC):
        try:
            return _unzip_single(name, given, limits).data
        except UnreadableSource:
            return None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(given, limits.max_bytes + 1)
    except zlib.error:
        return None
    return data if len(data) <= limits.max_bytes and inflater.eof else None


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, packed: int,
             limits: ExportLimits, location: Location) -> bytes:
    """The entry's bytes, inflated a MB at a time and counted as they come: the header's sizes
    may lie, the count does not."""
    chunks: list[bytes] = []
    inflated = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                inflated += len(chunk)
                if inflated > limits.max_bytes:
                    raise UnreadableSource(_too_large(location.file or "", entry.filename,
                                                      limits))
                if inflated > _MIB and inflated > limits.max_ratio * packed:
                    raise UnreadableSource(_bomb(entry.filename, limits, location))
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise UnreadableSource(_bad_zip(location)) from exc
    return b"".join(chunks)


def _bad_zip(location: Location) -> Problem:
    return error("zip-invalide", "archive zip illisible ou tronquée", location,
                 "Téléchargez à nouveau l'export depuis Siècle-BEE.")


def _bomb(inner: str, limits: ExportLimits, location: Location) -> Problem:
    return error(
        "zip-bombe",
        f"le fichier {inner} se décompresse plus de {limits.max_ratio} fois : ce n'est pas un "
        "export, mais une archive fabriquée pour saturer la mémoire",
        location,
        "Ne l'importez pas : refaites l'export depuis Siècle-BEE ou STS-Web et signalez ce "
        "fichier à votre référent sécurité (import.max_zip_ratio dans bascule.toml fixe la "
        "limite).",
    )


# A file re-saved as UTF-16 (Windows Notepad's « Unicode »), with its byte order mark or not:
# every other byte of its first characters is NUL.
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


UTF16 = "encodage-utf16"  # the problem's code


def utf16_problem(source: Source) -> Problem | None:
    """A file in UTF-16: no export is, and no reader would recognise it; said as what it is
    (newcomer 10: « ni XML, ni CSV », with the advice to leave the file out)."""
    if not source.data.startswith(_UTF16_STARTS):
        return None
    return error(UTF16, "le fichier est enregistré en UTF-16 (« Unicode » du "
                 "Bloc-notes), pas tel que Siècle-BEE ou STS-Web l'ont produit",
                 source.location(), "Refaites l'export et donnez le fichier sans l'ouvrir ni "
                 "l'enregistrer de nouveau.")


def looks_like_xml(source: Source) -> bool:
    return source.data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def check_declared_encoding(source: Source) -> Problem | None:
    """Flag a file declared ISO-8859-15 whose bytes are UTF-8 (re-saved by an editor).

    A real Latin-9 file with accents is never valid UTF-8 (é is a lone 0xE9), so a file that
    declares Latin-9, holds bytes above 127 and decodes as UTF-8 was re-encoded: its names
    would read "Ã©" for "é". The one blind spot is inherent: a Latin-9 text whose every accented
    byte pairs up into UTF-8 (only mojibake-like runs such as "Ã©" or "Â¡" do) reads as UTF-8.
    """
    declared = _DECLARED_ENCODING.match(source.data)
    if not declared or declared.group(1).decode("ascii").lower() not in _LATIN_ENCODINGS:
        return None
    if source.data.isascii():
        return None
    if not _is_utf8(source.data):
        return None
    first = next(index for index, byte in enumerate(source.data) if byte > 127)
    line = source.data.count(b"\n", 0, first) + 1
    return error(
        "encodage-utf8",
        f"le fichier déclare {declared.group(1).decode('ascii')} mais ses octets sont en UTF-8 "
        f"(les accents deviendraient « Ã© »)",
        source.location(line),
        "Le fichier a été ouvert et ré-enregistré par un éditeur : refaites l'export depuis "
        "Siècle-BEE ou STS-Web et donnez-le sans l'ouvrir.",
    )


def _is_utf8(data: bytes) -> bool:
    """Decoded a MB at a time and thrown away: the whole text never sits in memory. Stops at
    the first Latin-9 accent of a genuine file: cheap where it matters."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start:start + _CHUNK], final=start + _CHUNK >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def root_tag(source: Source) -> str:
    """The root element's name, read from the first bytes only."""
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )
    try:
        # Small chunks: the root is near the top, past the declaration and maybe a comment.
        for start in range(0, min(len(source.data), 65536), 512):
            parser.feed(source.data[start:start + 512])
            for _event, element in parser.read_events():
                return str(element.tag)
    except etree.XMLSyntaxError as exc:
        raise UnreadableSource(_syntax_problem(source, exc)) from exc
    raise UnreadableSource(
        error("xml-vide", "aucun élément XML trouvé", source.location(1),
              "Le fichier est vide ou tronqué : refaites l'export.")
    )


def iter_elements(source: Source, tags: Sequence[str]) -> Iterator[etree._Element]:
    """Stream the elements named in `tags`, each complete, then freed once the caller is done.

    A malformed or truncated file raises UnreadableSource with the parser's line and column;
    one with more markup or records than `source.limits` allow, before it fills memory.
    """
    if exceeds_markup(source):
        raise UnreadableSource(error(
            "fichier-trop-gros",
            f"le fichier compte plus de {source.limits.max_elements} éléments XML : ce n'est "
            "pas l'export d'un établissement", source.location(),
            "Vérifiez que c'est le bon fichier et refaites l'export depuis Siècle-BEE ou "
            "STS-Web."))
    events = etree.iterparse(
        io.BytesIO(as_utf8(source.data)), events=("end",), tag=tags, resolve_entities=False,
        load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
    )
    try:
        for count, (_event, element) in enumerate(events, start=1):
            if count > source.limits.max_records:
                raise UnreadableSource(too_many_records(source))
            yield element
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise UnreadableSource(_syntax_problem(source, exc)) from exc


# Python's codecs for the Latin encodings exports declare, by the names libxml2 knows them by.
_TRANSCODED = {b"ISO-8859-15": "iso8859_15", b"ISO-8859-1": "latin_1"}
# The declaration at the very start of the file (its bytes ASCII: their offsets are the
# same once converted), with one of those encodings.
_LATIN_DECLARATION = re.compile(rb'<\?xml[\t\n\r -=?-~]*?encoding=(["\'])(ISO-8859-15?)\1',
                                re.IGNORECASE)


def as_utf8(data: bytes) -> bytes:
    """The same document in UTF-8 when it declares ISO-8859-15 or ISO-8859-1, else `data`.

    libxml2 converts a Latin-9 file through iconv a few bytes at a time (an eighth of the whole
    read of a Siècle-BEE file); Python's codec does the same conversion in one pass, ten times
    faster. Every byte of those encodings is a character, so nothing can fail here that would
    not fail there; the declaration then says UTF-8, padded with spaces to its former length,
    so that the parser's lines and columns stay those of the file as given.
    """
    declared = _LATIN_DECLARATION.match(data)
    if declared is None:
        return data
    name, quote = declared.group(2), declared.group(1)
    text = data if data.isascii() else data.decode(_TRANSCODED[name.upper()]).encode("utf-8")
    start, end = declared.span(2)
    return b"".join((text[:start], b"UTF-8", quote, b" " * (len(name) - 5), text[end + 1:]))


def exceeds_markup(source: Source) -> bool:
    """Whether the file holds more elements than `source.limits` allow (counted by their
    start tags, without parsing). No more "<" than bytes, nor start tags than "<": most files
    are told apart by their size or one count."""
    data, limit = source.data, source.limits.max_elements
    if len(data) <= limit:
        return False
    opening = data.count(b"<")
    return opening > limit and opening - data.count(b"</") > limit


def too_many_records(source: Source) -> Problem:
    return error(
        "fichier-trop-gros",
        f"l'import dépasse {source.limits.max_records} enregistrements (élèves, personnes, "
        "liens…) en comptant ce fichier : ce ne sont pas les exports d'un établissement",
        source.location(),
        "Vérifiez que ce sont les bons fichiers et refaites les exports. Si l'établissement est "
        "vraiment si grand, relevez import.max_records dans bascule.toml.",
    )


# libxml2's most frequent words on a damaged export, in French; any other stays as it is,
# said to be the parser's own.
_SYNTAX_WORDS = (
    (re.compile(r"Premature end of data in tag (\S+) line (\d+)"),
     r"le fichier s'arrête avant la fin de la balise \1 ouverte ligne \2"),
    (re.compile(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)"),
     r"la balise \1 est fermée par \2"),
    (re.compile(r"Extra content at the end of the document"),
     "du contenu suit la fin du document"),
    (re.compile(r"Start tag expected, '<' not found"), "ce n'est pas du XML"),
    (re.compile(r"Document is empty"), "le fichier est vide"),
    (re.compile(r"Couldn't find end of Start Tag (\S+)"),
     r"la balise \1 n'est pas fermée par « > »"),
    (re.compile(r"expected '>'"), "un « > » manque : une balise est coupée ou mal fermée"),
    (re.compile(r"AttValue: \" or ' expected|error parsing attribute name"),
     "un attribut de balise est mal écrit (guillemets ou nom)"),
    (re.compile(r"Attribute (\S+) redefined"),
     r"l'attribut \1 est écrit deux fois dans une balise"),
    (re.compile(r"Entity '([^']*)' not defined"), r"l'entité « &\1; » n'est pas définie"),
    (re.compile(r"Invalid bytes in character encoding|Input is not proper UTF-8"),
     "des octets ne sont pas dans l'encodage que le fichier déclare (réenregistré par un "
     "tableur ou un éditeur ?)"),
    (re.compile(r"invalid Char value \d+|Char 0x[0-9A-Fa-f]+ out of allowed range"),
     "un caractère interdit en XML (caractère de contrôle)"),
    (re.compile(r"StartTag: invalid element name"), "un nom de balise est invalide"),
    (re.compile(r"amplification factor|entity reference loop|Detected an entity reference"),
     "des entités s'y démultiplient (« bombe XML ») : le fichier est refusé sans être lu"),
    (re.compile(r"huge text node|Excessive depth|Huge input lookup"),
     "un texte ou une imbrication démesurés : ce n'est pas un export ordinaire"),
)
_PARSER_POSITION = re.compile(r"(, line \d+)+, column \d+$")  # already said in French


def syntax_reason(message: str) -> str:
    """libxml2's reason for refusing a file, in French when it is a usual one."""
    message = _PARSER_POSITION.sub("", message)
    for shape, words in _SYNTAX_WORDS:
        if found := shape.search(message):
            return found.expand(words)  # the French words alone: nothing of libxml2's left
    return f"le fichier n'est pas du XML bien formé (détail technique de l'analyseur : {message})"


def _syntax_problem(source: Source, exc: etree.XMLSyntaxError) -> Problem:
    line, column = exc.position if exc.position else (None, None)
    reason = syntax_reason(exc.msg or str(exc))
    return error(
        "xml-invalide",
        f"XML mal formé ou tronqué (ligne {line}, colonne {column}) : {reason}",
        source.location(line),
        "Le fichier est incomplet ou a été modifié : refaites l'export et donnez-le sans "
        "l'ouvrir.",
    )


def child_texts(element: etree._Element) -> dict[str, str | None]:
    """The text of each child element, by tag: one pass, the cheapest way to read a record.

    Tags are plain str here: the exports use no namespace, and comments are not parsed.
    """
    return cast(dict[str, str | None], {child.tag: child.text for child in element})
