"""Opening an export: bare file or single-file zip, sniffed by magic bytes, never by name.

This is also the one place where XML is parsed (root_tag and iter_elements, with the same
options): entity resolution, DTD loading and network access off, streaming, decoded by the
file's own declaration.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lxml import etree

from bascule.errors import Location, Problem, UserError, error

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The largest inflated export we accept: a real Siècle export is a few MB; this stops zip bombs.
MAX_EXPORT_BYTES = 512 * 1024 * 1024
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_LATIN_ENCODINGS = {"iso-8859-15", "iso8859-15", "latin-9", "latin9", "iso-8859-1", "latin1"}


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one export and the name to show the user (``a.zip/inner.xml`` for a zip)."""

    name: str
    data: bytes
    sha256: str

    def location(self, line: int | None = None, record: str | None = None) -> Location:
        return Location(file=self.name, line=line, record=record)


class UnreadableSource(Exception):
    """The file cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def open_source(path: Path) -> Source:
    """Read a file, unwrapping a single-file zip. Raises UnreadableSource or UserError."""
    try:
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
        return _unzip_single(path.name, raw)
    return Source(name=path.name, data=raw, sha256=hashlib.sha256(raw).hexdigest())


def _unzip_single(name: str, raw: bytes) -> Source:
    location = Location(file=name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as exc:
        raise UnreadableSource(
            error("zip-invalide", "archive zip illisible ou tronquée", location,
                  "Téléchargez à nouveau l'export depuis Siècle-BEE.")
        ) from exc
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
    if entry.file_size > MAX_EXPORT_BYTES:
        raise UnreadableSource(
            error("zip-taille", f"le fichier {entry.filename} décompressé dépasse 512 Mo",
                  location, "Ce n'est pas un export Siècle-BEE : vérifiez le fichier.")
        )
    data = archive.read(entry)
    digest = hashlib.sha256(raw).hexdigest()
    return Source(name=f"{name}/{entry.filename}", data=data, sha256=digest)


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
    try:
        # Stops at the first Latin-9 accent of a genuine file: cheap where it matters.
        source.data.decode("utf-8")
    except UnicodeDecodeError:
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

    A malformed or truncated file raises UnreadableSource with the parser's line and column.
    """
    events = etree.iterparse(
        io.BytesIO(source.data), events=("end",), tag=tags, resolve_entities=False,
        load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
    )
    try:
        for _event, element in events:
            yield element
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise UnreadableSource(_syntax_problem(source, exc)) from exc


def _syntax_problem(source: Source, exc: etree.XMLSyntaxError) -> Problem:
    line, column = exc.position if exc.position else (None, None)
    reason = exc.msg or str(exc)
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
