"""Record-level reuse within a changed file (exports/chunks.py): a read that takes the unchanged
records from an earlier read gives exactly what a full read gives, and on any doubt reads it all.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bascule.exports import chunks
from bascule.exports.read import read_export
from bascule.exports.records import ExportFile
from bascule.exports.siecle import read_eleves
from bascule.exports.source import ExportLimits, Source, UnreadableSource, given_data
from bascule.synthetic.generate import generate_campaigns


@pytest.fixture(scope="module")
def eleves() -> Iterator[bytes]:
    with tempfile.TemporaryDirectory() as root:
        (college,) = generate_campaigns(Path(root), colleges=1, seed=3, year=2025, size=30)
        with zipfile.ZipFile(college.folders[0] / "ExportXML_ElevesSansAdresses.zip") as archive:
            (info,) = archive.infolist()
            yield archive.read(info)


def _read(folder: Path, data: bytes, previous: ExportFile | None = None,
          limits: ExportLimits | None = None) -> ExportFile | UnreadableSource:
    path = folder / "ElevesSansAdresses.xml"
    path.write_bytes(data)
    try:
        return read_export(path, limits or ExportLimits(), previous)
    except UnreadableSource as unreadable:
        return unreadable


def _both(folder: Path, before: bytes, after: bytes,
          limits: ExportLimits | None = None) -> tuple[object, object, ExportFile]:
    """The incremental and the full read of `after`, and the earlier read of `before`."""
    previous = _read(folder, before)
    assert isinstance(previous, ExportFile) and previous.given is not None
    return _read(folder, after, previous, limits), _read(folder, after, None, limits), previous


def _problem(outcome: object) -> object:
    return outcome.problem if isinstance(outcome, UnreadableSource) else outcome


def _eleve_block(data: bytes, index: int) -> tuple[int, int]:
    start = -1
    for _ in range(index + 1):
        start = data.index(b"<ELEVE ", start + 1)
    return start, data.index(b"</ELEVE>", start) + len(b"</ELEVE>")


def _read_in_part(data: bytes, previous: ExportFile) -> bool:
    """Whether the unchanged records were taken again (not the whole file read)."""
    return chunks.read_again(Source("ElevesSansAdresses.xml", data, "x"), read_eleves,
                             previous) is not None


def test_a_changed_record_is_read_the_others_taken_again(eleves: bytes, tmp_path: Path) -> None:
    after = eleves.replace(b"<CODE_STRUCTURE>", b"<CODE_STRUCTURE>Z", 1)
    incremental, full, previous = _both(tmp_path, eleves, after)
    assert incremental == full
    assert isinstance(incremental, ExportFile)
    taken = sum(record is earlier for record, earlier in zip(
        incremental.eleves + incremental.structure_links,
        previous.eleves + previous.structure_links, strict=True))
    assert taken == len(previous.eleves) + len(previous.structure_links) - 1


def test_records_after_an_arrival_move_down_with_their_lines(eleves: bytes,
                                                             tmp_path: Path) -> None:
    start, end = _eleve_block(eleves, 2)
    newcomer = eleves[start:end].replace(b'ELEVE_ID="', b'ELEVE_ID="9', 1)
    after = eleves[:start] + newcomer + b"\n      " + eleves[start:]
    incremental, full, previous = _both(tmp_path, eleves, after)
    assert incremental == full
    assert isinstance(incremental, ExportFile)
    assert incremental.structure_links[0].line != previous.structure_links[0].line
    assert incremental.structure_links[0].links == full.structure_links[0].links  # type: ignore[union-attr]
    assert _read_in_part(after, previous)


def test_a_departure_and_windows_line_ends(eleves: bytes, tmp_path: Path) -> None:
    crlf = eleves.replace(b"\n", b"\r\n")
    start, end = _eleve_block(crlf, 4)
    incremental, full, previous = _both(tmp_path, crlf, crlf[:start] + crlf[end:])
    assert incremental == full and _read_in_part(crlf[:start] + crlf[end:], previous)


@pytest.mark.parametrize("doubt", [
    b"<!-- note -->", b"<![CDATA[x]]>", b"<?pi x?>", b'<X xmlns="urn:x"/>', b"\r ",
    b"<ELEVE ELEVE_ID='nested'></ELEVE>",
])
def test_on_doubt_the_whole_file_is_read(eleves: bytes, tmp_path: Path, doubt: bytes) -> None:
    start, _end = _eleve_block(eleves, 1)
    inside = eleves.index(b"</NOM_DE_FAMILLE>", start) + len(b"</NOM_DE_FAMILLE>")
    after = eleves[:inside] + doubt + eleves[inside:]
    incremental, full, previous = _both(tmp_path, eleves, after)
    assert _problem(incremental) == _problem(full)
    assert not _read_in_part(after, previous)


def test_a_record_within_parametres_or_another_declaration(eleves: bytes,
                                                          tmp_path: Path) -> None:
    start, end = _eleve_block(eleves, 0)
    parametres = eleves.index(b"</PARAMETRES>")
    moved = eleves[:parametres] + eleves[start:end] + eleves[parametres:start] + eleves[end:]
    latin1 = eleves.replace(b'encoding="ISO-8859-15"', b'encoding="ISO-8859-1"', 1)
    utf16 = eleves.replace(b'encoding="ISO-8859-15"', b'encoding="UTF-16"', 1).decode(
        "iso-8859-15").encode("utf-16")
    for after in (moved, latin1, utf16):
        incremental, full, previous = _both(tmp_path, eleves, after)
        assert _problem(incremental) == _problem(full)
        assert not _read_in_part(after, previous)


def test_errors_and_limits_are_those_of_a_full_read(eleves: bytes, tmp_path: Path) -> None:
    start, _end = _eleve_block(eleves, 3)
    broken = eleves[:start] + eleves[start:].replace(b"</PRENOM>", b"</PRENOMS>", 1)
    incremental, full, _ = _both(tmp_path, eleves, broken)
    assert isinstance(full, UnreadableSource)
    assert _problem(incremental) == _problem(full)
    changed = eleves.replace(b"<CODE_STRUCTURE>", b"<CODE_STRUCTURE>Z", 1)
    previous = _read(tmp_path, eleves)
    assert isinstance(previous, ExportFile)
    for limits in (ExportLimits(max_records=previous.record_count - 5),
                   ExportLimits(max_elements=changed.count(b"<") - changed.count(b"</") - 1)):
        incremental, full, _ = _both(tmp_path, eleves, changed, limits)
        assert isinstance(full, UnreadableSource)
        assert _problem(incremental) == _problem(full)


def test_records_of_another_file_name_are_not_taken(eleves: bytes, tmp_path: Path) -> None:
    previous = _read(tmp_path, eleves)
    assert isinstance(previous, ExportFile)
    other = replace(previous, name="Autre.xml")
    assert chunks.read_again(Source("ElevesSansAdresses.xml", eleves, "x"), read_eleves,
                             other) is None


def _eleve(eleve_id: int, name: bytes = b"X", start_tag: bytes = b"<ELEVE ") -> bytes:
    return (start_tag + b'ELEVE_ID="%d"><NOM_DE_FAMILLE>%s</NOM_DE_FAMILLE></ELEVE>\n'
            % (eleve_id, name))


def _document(first: bytes, last: bytes = b"", after: bytes = b"") -> bytes:
    """A minimal élèves file: `first`, 2,000 élèves, `last`, the end, `after`; the 2,000 put
    what follows them past the first 64 KiB, that the reader's first look (root_tag) parses
    alone."""
    many = b"".join(_eleve(eleve_id) for eleve_id in range(3, 2000))
    return (b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="1.0">\n'
            b"<PARAMETRES><UAJ>0123456A</UAJ><ANNEE_SCOLAIRE>2025</ANNEE_SCOLAIRE></PARAMETRES>\n"
            b"<DONNEES><ELEVES>\n" + first + many + last
            + b"</ELEVES></DONNEES></BEE_ELEVES>\n" + after)


def test_a_start_tag_over_several_lines_keeps_the_line_the_parser_gives(tmp_path: Path) -> None:
    """libxml2 gives an element the line of its start tag's end: a record taken again too."""
    unchanged = _eleve(2, start_tag=b'<ELEVE\n  ELENOET="22"\n  ')
    before, after = _document(_eleve(1) + unchanged), _document(_eleve(1, b"AA") + unchanged)
    incremental, full, previous = _both(tmp_path, before, after)
    assert isinstance(full, ExportFile) and incremental == full
    assert [e.line for e in full.eleves[:2]] == [5, 8] and _read_in_part(after, previous)


@pytest.mark.parametrize("misplaced", ["past the root", "in a value", "in a tag"])
def test_a_record_where_no_element_may_stand_is_refused_as_a_full_read_does(
        tmp_path: Path, misplaced: str) -> None:
    """An unchanged record taken out of the parse must not take its syntax error with it."""
    record = _eleve(2)
    before = _document(_eleve(1), record)
    last, after = {"past the root": (b"", record),
                   "in a value": (b"<NOTE a='" + record + b"'/>", b""),
                   "in a tag": (b"<NOTE " + record + b"/>", b"")}[misplaced]
    changed = _document(_eleve(1, b"AA"), last, after)
    incremental, full, _ = _both(tmp_path, before, changed)
    assert isinstance(full, UnreadableSource)
    assert _problem(incremental) == _problem(full)


def test_a_file_is_kept_as_given_and_opened_again_within_the_limits(eleves: bytes,
                                                                    tmp_path: Path) -> None:
    """A zip is kept as its own bytes, an XML compressed; opened again, each gives the XML it
    held, unless it is larger than the limits allow now or damaged."""
    packed = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", eleves)
    from_zip, from_xml = read_export(packed), _read(tmp_path, eleves)
    assert isinstance(from_xml, ExportFile) and from_zip.given == packed.read_bytes()
    for export in (from_zip, from_xml):
        assert export.given is not None
        name = export.name.split("/", 1)[0]
        assert given_data(name, export.given, ExportLimits()) == eleves
        assert given_data(name, export.given, ExportLimits(max_bytes=len(eleves) - 1)) is None
        assert given_data(name, export.given[:-40], ExportLimits()) is None


@pytest.mark.parametrize("between", [b"\n  \t\r\n  ", b"\n \x0c \n", b"\n<NOTE/>\n", b"&amp;"])
def test_what_stands_between_unchanged_records_is_read_as_a_full_read_does(
        eleves: bytes, tmp_path: Path, between: bytes) -> None:
    """Unchanged records with only white space between them are left out of the parse as one;
    anything else between them (a character XML forbids, an element, text) is parsed."""
    changed = eleves.replace(b"<CODE_STRUCTURE>", b"<CODE_STRUCTURE>Z", 1)
    _start, end = _eleve_block(changed, 2)
    after = changed[:end] + between + changed[end:]
    incremental, full, previous = _both(tmp_path, eleves, after)
    assert _problem(incremental) == _problem(full)
    assert _read_in_part(after, previous) is isinstance(full, ExportFile)
