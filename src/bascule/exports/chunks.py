"""Record-level reuse within a changed export file (issue 22: work proportional to the change).

A Siècle-BEE élèves or responsables file is mostly a run of record elements (ELEVE, OPTION,
STRUCTURES_ELEVE; PERSONNE, RESPONSABLE_ELEVE), each read from its own bytes alone. A read
keeps the file as given (a zip's own bytes, else its XML compressed: ExportFile.given, kept by
store/kept.py), and nothing more: a first read pays nothing for the reuse. When the file comes
again with some records changed, both files are split at those elements, and only the records
whose bytes are not among the earlier file's are parsed: the file's "skeleton" (everything but
the unchanged records, each replaced by its own line breaks, so that every line keeps its
number) goes through the very reader and parser a full read uses, and the unchanged records
are taken from the earlier read with their lines moved. The result equals a full read's:
records, files, lines and header.

Any doubt gives None, and the caller reads the whole file: a DOCTYPE, comment, CDATA section or
processing instruction anywhere, a namespace, an encoding that is not ASCII-compatible or
differs from the earlier file's declaration, a record within a record or within PARAMETRES,
a lone carriage return, a syntax error in the skeleton, counts or lines that do not match, an
earlier file that cannot be opened again within the limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from bascule.exports.records import ExportFile, ExportKind, Located, StructureLinkRecord
from bascule.exports.source import (
    BUDGET_ROOM,
    Source,
    UnreadableSource,
    exceeds_markup,
    given_bytes,
    given_data,
)

# The record elements of each kind (a chunk's tag is its index here) and the list of
# ExportFile that its reader fills with them; PARAMETRES, read for the header, stays in the
# skeleton.
RECORD_TAGS: dict[ExportKind, tuple[tuple[str, str], ...]] = {
    ExportKind.ELEVES: (("ELEVE", "eleves"), ("OPTION", "options"),
                        ("STRUCTURES_ELEVE", "structure_links")),
    ExportKind.RESPONSABLES: (("PERSONNE", "personnes"), ("RESPONSABLE_ELEVE", "guardian_links")),
}
_SKELETON_TAG = b"PARAMETRES"
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?")
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
# Encodings in which the bytes of "<", ">", "/", letters and line breaks are those characters
# wherever they stand: splitting their bytes splits their text.
_ASCII_COMPATIBLE = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1",
                     "latin-1", "iso-8859-15", "iso8859-15", "latin9", "latin-9",
                     "windows-1252", "cp1252"}
_TAG_INDEXES: dict[ExportKind, dict[bytes, int]] = {
    kind: {_SKELETON_TAG: -1, **{tag.encode(): index for index, (tag, _) in enumerate(tags)}}
    for kind, tags in RECORD_TAGS.items()
}
_SPACE = b" \t\r\n"  # XML's white space (a lone carriage return never gets this far)
_GAP = 256  # white space between two records longer than that is not looked at: kept as is
_NOT_LINE_BREAKS = bytes(byte for byte in range(256) if byte not in (10, 13))
_TAGS = {kind: b"|".join([tag.encode() for tag, _ in tags] + [_SKELETON_TAG])
         for kind, tags in RECORD_TAGS.items()}
# A whole start tag (quotes may hold ">"): the parser gives an element the line of its end.
# Possessive: a tag's text is matched one way only, and never tried again in part.
_STARTS = {kind: re.compile(rb"<(" + tags + rb")(?=[\s/>])[^>\"']*+"
                            rb"(?:(?:\"[^\"]*+\"|'[^']*+')[^>\"']*+)*+>")
           for kind, tags in _TAGS.items()}
_ENDS = {kind: re.compile(rb"</(" + tags + rb")\s*+>") for kind, tags in _TAGS.items()}


# A record element: its tag (index into RECORD_TAGS[kind]), its bytes [start, end) from its "<"
# to its end tag's ">", and the line of its start tag's end, as the parser counts (line feeds
# before it, plus one). A plain tuple: a file has thousands, made in a loop.
_Chunk = tuple[int, int, int, int]


def with_chunks(export: ExportFile, source: Source) -> ExportFile:
    """`export` (a full read of `source`) with the file as given, where its records may be
    taken again next time."""
    if export.kind in RECORD_TAGS:
        export.given = given_bytes(source)
    return export


def read_again(source: Source, reader: Callable[[Source], ExportFile],
               previous: ExportFile) -> ExportFile | None:
    """What `reader` gives for `source`, taking from `previous` (an earlier read of a file of
    the same name) the records whose bytes are unchanged; None on any doubt (then read it all).
    """
    kind, prolog = previous.kind, _prolog(source.data)
    if (previous.given is None or prolog is None or previous.name != source.name
            or exceeds_markup(source)):
        return None
    before = given_data(previous.name.split("/", 1)[0], previous.given, source.limits)
    if before is None or _prolog(before) != prolog:
        return None
    chunks, earlier = _split(source.data, kind), _split(before, kind, lines=False)
    if chunks is None or earlier is None or len(chunks) + BUDGET_ROOM > source.limits.max_records:
        return None
    known = _known(previous, kind, before, earlier)
    if known is None:
        return None
    data = source.data
    reused = [known.get((tag, data[start:end])) for tag, start, end, _line in chunks]
    try:
        parsed = reader(replace(source, data=_skeleton(data, chunks, reused)))
    except UnreadableSource:
        return None  # the full read says where, as it would have
    if parsed.kind is not kind:
        return None
    return _merged(parsed, kind, chunks, reused, given_bytes(source))


def _prolog(data: bytes) -> bytes | None:
    """The BOM and XML declaration, if the file is one whose records can be split: declared
    in an ASCII-compatible encoding (or none, UTF-8), with nothing but elements, text and
    character references after it (no DOCTYPE, comment, CDATA, processing instruction,
    namespace, lone carriage return)."""
    if b"\x00" in data[:4] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 or UTF-32, told by its first bytes
    prolog = _PROLOG.match(data)
    assert prolog is not None  # the pattern matches the empty string
    declared = _ENCODING.search(prolog.group())
    if declared is not None and declared.group(1).decode().lower() not in _ASCII_COMPATIBLE:
        return None
    if (_holds(data, b"<!", 0) or _holds(data, b"<?", prolog.end()) or b"xmlns" in data
            or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n"))):
        return None
    return prolog.group()


def _holds(data: bytes, markup: bytes, start: int) -> bool:
    """Whether `markup` ("<" and a rare byte) stands in `data` from `start`: the rare byte is
    looked for first, "<" being in every tag."""
    return data.find(markup[1:], start) != -1 and data.find(markup, start) != -1


def _split(data: bytes, kind: ExportKind, *, lines: bool = True) -> list[_Chunk] | None:
    """The record elements of a file _prolog accepts, in order (their lines 0 unless `lines`);
    None if one stands within another or within PARAMETRES (the n-th start tag of these
    elements must pair with the n-th end tag, each pair after the one before)."""
    starts, ends, indexes = _STARTS.get(kind), _ENDS.get(kind), _TAG_INDEXES.get(kind)
    if starts is None or ends is None or indexes is None:
        return None
    opened = [(*match.span(), match[1]) for match in starts.finditer(data)]
    closed = [(match.end(), match[1]) for match in ends.finditer(data)]
    if len(opened) != len(closed):
        return None
    chunks: list[_Chunk] = []
    line, counted, previous_end = 1 if lines else 0, 0, 0
    count = data.count
    for (start, tag_end, tag), (end, closing) in zip(opened, closed, strict=True):
        if tag != closing or start < previous_end or end < tag_end:
            return None
        previous_end = end
        index = indexes[tag]
        if index >= 0:  # not PARAMETRES
            if lines:
                line += count(b"\n", counted, tag_end)
                counted = tag_end
            chunks.append((index, start, end, line))
    return chunks


def _known(previous: ExportFile, kind: ExportKind, before: bytes, earlier: list[_Chunk]
           ) -> dict[tuple[int, bytes], Located] | None:
    """The previous read's records by their tag and bytes in `before`, the file it was read
    from (`earlier`: its chunks); None if they do not pair up."""
    lists = [iter(getattr(previous, attribute)) for _tag, attribute in RECORD_TAGS[kind]]
    known: dict[tuple[int, bytes], Located] = {}
    for tag, start, end, _line in earlier:
        record = next(lists[tag], None)
        if record is None or record.line is None:
            return None
        known[(tag, before[start:end])] = record
    if any(next(records, None) is not None for records in lists):
        return None
    return known


def _skeleton(data: bytes, chunks: list[_Chunk], reused: list[Located | None]) -> bytes:
    """The file with each run of reused records (separated by XML white space only) replaced
    by one empty element that holds their line breaks (`<_` … `/>`): the lines after it keep
    their numbers, the parser has only the changed records to read, and a record where no
    element may stand (past the root, in a tag or an attribute's value; white space alone
    cannot lead there from a place where one may) is still the syntax error a full read
    finds."""
    runs: list[list[int]] = []  # [start, end) of each run of reused records
    for (_tag, start, end, _line), record in zip(chunks, reused, strict=True):
        if record is None:
            continue
        if runs and start - runs[-1][1] <= _GAP and not data[runs[-1][1]:start].strip(_SPACE):
            runs[-1][1] = end
        else:
            runs.append([start, end])
    pieces: list[bytes] = []
    kept_from = 0
    for start, end in runs:
        pieces += (data[kept_from:start],
                   b"<_" + data[start:end].translate(None, _NOT_LINE_BREAKS) + b"/>")
        kept_from = end
    pieces.append(data[kept_from:])
    return b"".join(pieces)


def _merged(parsed: ExportFile, kind: ExportKind, chunks: list[_Chunk],
            reused: list[Located | None], given: bytes) -> ExportFile | None:
    """The skeleton's records and the reused ones, in the file's order; None unless the
    skeleton gave exactly one record for each changed element, on its line."""
    attributes = [attribute for _tag, attribute in RECORD_TAGS[kind]]
    fresh: list[Iterator[Located]] = [iter(getattr(parsed, name)) for name in attributes]
    lists: list[list[Located]] = [[] for _ in attributes]
    for (tag, _start, _end, line), record in zip(chunks, reused, strict=True):
        if record is None:
            record = next(fresh[tag], None)
            if record is None or record.line != line:
                return None
        else:
            record = _at_line(record, line)
        lists[tag].append(record)
    if any(next(records, None) is not None for records in fresh):
        return None
    for name, records in zip(attributes, lists, strict=True):
        setattr(parsed, name, records)
    parsed.given = given
    return parsed


def _at_line(record: Located, line: int) -> Located:
    """The record as it reads on `line`: its own line and its parts' moved alike."""
    if record.line == line or record.line is None:  # None: never kept (see _known)
        return record
    shift = line - record.line
    if isinstance(record, StructureLinkRecord):
        return replace(record, line=line, links=tuple(
            replace(link, line=link.line + shift if link.line is not None else None)
            for link in record.links))
    return replace(record, line=line)
