"""A re-import that reuses what the previous import kept equals a full import (issue 22).

A generated collège's exports are staged twice, in two bascule folders; the second folder's
kept parts are dropped, so that its next import reads and builds everything. Random changes are
then made to the exports (moves, arrivals, departures, renames, a record made invalid, a
responsable renamed, a file renamed, a file replaced by one of another school or year; and
edits of the bytes alone: lines added within a record, the file written in another form or with
Windows line ends, a comment or CDATA section in a record, another declared encoding) and
imported in both folders: the staged campaign, its problems (file, line, record) and the
staging, or the refusal and its problems, must be the same. Within a changed file, the first
folder reuses the records whose bytes did not change (exports/chunks.py)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree

from bascule.errors import ImportRejected
from bascule.exports import siecle
from bascule.exports.read import read_export
from bascule.exports.source import BUDGET_ROOM
from bascule.operations import campaign
from bascule.settings import Settings, init_home
from bascule.store.codec import encode
from bascule.store.engine import open_store
from bascule.store.kept import KeptFile
from bascule.store.schema import staged_snapshot
from bascule.store.staging import Staged, latest_snapshot
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from bascule.synthetic.writers import serialise, write_zip

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)
ELEVES = "ExportXML_ElevesSansAdresses.zip"
RESPONSABLES = "ExportXML_ResponsablesAvecAdresses.zip"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture(scope="module")
def colleges() -> Iterator[list[GeneratedCollege]]:
    """Two collèges, their élèves and responsables files written as the edits below write
    them (lxml's serialisation): an edit changes only the bytes of the records it touches, and
    the re-import reuses the others (record-level reuse, exports/chunks.py)."""
    with tempfile.TemporaryDirectory() as root:
        colleges = generate_campaigns(Path(root), colleges=2, seed=5, year=2025, size=40)
        for name in (ELEVES, RESPONSABLES):
            _edit_zip(colleges[0].folders[0] / name, lambda _root: None)
        yield colleges


def _edit_zip(path: Path, edit: Callable[[etree._Element], None]) -> None:
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
        root = etree.fromstring(archive.read(info), _SAFE)
    edit(root)
    write_zip(path, info.filename, serialise(root), date(*info.date_time[:3]))


def _edit_bytes(path: Path, edit: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
        data = archive.read(info)
    write_zip(path, info.filename, edit(data), date(*info.date_time[:3]))


def _in_record(index: int, tag: bytes, insert: bytes) -> Callable[[bytes], bytes]:
    """`insert` within the index-th record `tag` (after its start tag), the rest unchanged."""
    def edit(data: bytes) -> bytes:
        starts = [position for position in range(len(data))
                  if data.startswith(b"<" + tag + b" ", position)]
        inside = data.index(b">", starts[index % len(starts)]) + 1
        return data[:inside] + insert + data[inside:]
    return edit


# Edits of the bytes alone: a file exported again in another form (every record's bytes
# change), or with what makes a reuse doubtful (the whole file is then read).
BYTE_CHANGES: dict[str, Callable[[int], Callable[[bytes], bytes]]] = {
    "reformatted": lambda _index: lambda data: data.replace(b"<NOM_USAGE/>",
                                                            b"<NOM_USAGE></NOM_USAGE>"),
    "windows line ends": lambda _index: lambda data: data.replace(b"\n", b"\r\n"),
    "comment": lambda index: _in_record(index, b"ELEVE", b"<!-- vu -->"),
    "cdata": lambda index: _in_record(index, b"ELEVE", b"<NOM_USAGE><![CDATA[A&B]]></NOM_USAGE>"),
    "new lines": lambda index: _in_record(index, b"STRUCTURES_ELEVE", b"\n\n\n"),
    "latin-1": lambda _index: lambda data: data.replace(b"ISO-8859-15", b"ISO-8859-1", 1),
}


def _nth(root: etree._Element, tag: str, index: int) -> etree._Element:
    elements = list(root.iter(tag))
    return elements[index % len(elements)]


def _move(index: int) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        codes = [s.find("CODE_STRUCTURE") for s in root.iter("STRUCTURE")
                 if s.findtext("TYPE_STRUCTURE") == "D"]
        divisions = sorted({code.text or "" for code in codes if code is not None})
        code = codes[index % len(codes)]
        assert code is not None
        code.text = divisions[(divisions.index(code.text or "") + 1) % len(divisions)]
    return edit


def _arrive(index: int) -> Callable[[etree._Element], None]:
    """A copy of an élève under a new ELEVE_ID, inserted before another (the lines after it
    move), with its divisions and groups."""
    def edit(root: etree._Element) -> None:
        model = _nth(root, "ELEVE", index)
        eleve_id = model.get("ELEVE_ID")
        newcomer = etree.fromstring(etree.tostring(model))
        newcomer.set("ELEVE_ID", f"9{index:05d}")
        for tag in ("ID_NATIONAL", "INE_RNIE"):
            for field in newcomer.iter(tag):
                field.text = f"{index:010d}X"
        model.addprevious(newcomer)
        for block in root.iter("STRUCTURES_ELEVE"):
            if block.get("ELEVE_ID") == eleve_id:
                copy = etree.fromstring(etree.tostring(block))
                copy.set("ELEVE_ID", f"9{index:05d}")
                block.addprevious(copy)
                break
    return edit


def _leave(index: int) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        eleve = _nth(root, "ELEVE", index)
        eleve.getparent().remove(eleve)
    return edit


def _set(tag: str, field: str, text: str) -> Callable[[int], Callable[[etree._Element], None]]:
    def at(index: int) -> Callable[[etree._Element], None]:
        def edit(root: etree._Element) -> None:
            element = _nth(root, tag, index)
            found = element.find(field)
            if found is None:
                found = etree.SubElement(element, field)
            found.text = text
        return edit
    return at


ELEVE_CHANGES = {
    "move": _move,
    "arrive": _arrive,
    "leave": _leave,
    "rename": _set("ELEVE", "PRENOM", "Zoé-Éléonore"),
    "invalid date": _set("ELEVE", "DATE_NAISS", "31/02/2011"),
    "no name": _set("ELEVE", "NOM_DE_FAMILLE", " "),
}
change = st.one_of(
    st.tuples(st.sampled_from(sorted(ELEVE_CHANGES)), st.integers(0, 200)),
    st.tuples(st.sampled_from(sorted(BYTE_CHANGES)), st.integers(0, 200)),
    st.tuples(st.just("responsable"), st.integers(0, 200)),
    st.tuples(st.sampled_from(["renamed file", "other school", "other year"]), st.just(0)),
)


def _changed(exports: Path, colleges: list[GeneratedCollege],
             changes: list[tuple[str, int]], folder: Path) -> Path:
    shutil.copytree(exports, folder)
    eleves = folder / ELEVES
    for kind, index in changes:
        if kind in ELEVE_CHANGES:
            _edit_zip(eleves, ELEVE_CHANGES[kind](index))
        elif kind in BYTE_CHANGES:
            _edit_bytes(eleves, BYTE_CHANGES[kind](index))
        elif kind == "responsable":
            _edit_zip(folder / RESPONSABLES, _set("PERSONNE", "NOM_DE_FAMILLE", "Nouveau")(index))
        elif kind == "renamed file":
            eleves = eleves.rename(eleves.with_stem(eleves.stem + "_bis"))
        elif kind == "other school":
            shutil.copy(colleges[1].folders[0] / RESPONSABLES, folder / RESPONSABLES)
        elif kind == "other year":
            shutil.copy(colleges[0].folders[1] / "ExportXML_Structures.zip",
                        folder / "ExportXML_Structures.zip")
    return folder


def _staged(home: Path, college: GeneratedCollege, *, keep: bool) -> Settings:
    settings, _ = init_home(home, college.uai, college.name)
    campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
    if not keep:
        with open_store(settings.store_url).begin() as connection:
            connection.execute(staged_snapshot.update().values(kept=None))
    return settings


def _outcome(settings: Settings, folder: Path) -> object:
    """What a user sees of the import: the campaign staged (by its content hash), problems and
    staging; or the refusal's problems."""
    try:
        outcome = campaign.import_exports(settings, sorted(folder.iterdir()), now=NOW)
    except ImportRejected as rejected:
        return ("refused", rejected.problems)
    return (encode(outcome.snapshot).sha256, outcome.problems, outcome.staging,
            outcome.findings, outcome.summary)


@hypothesis_settings(max_examples=30, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(change, min_size=1, max_size=4))
def test_a_reimport_equals_the_full_import(colleges: list[GeneratedCollege],
                                           changes: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as root:
        college = colleges[0]
        incremental = _staged(Path(root) / "incremental", college, keep=True)
        full = _staged(Path(root) / "full", college, keep=False)
        folder = _changed(college.folders[0], colleges, changes, Path(root) / "changed")
        before = _newest(incremental, college.uai)
        assert _outcome(incremental, folder) == _outcome(full, folder)
        _check_chain(before, _newest(incremental, college.uai))
        assert _newest(full, college.uai).chain is None  # nothing kept: nothing taken again


def _newest(settings: Settings, uai: str) -> Staged:
    staged = latest_snapshot(open_store(settings.store_url), uai)
    assert staged is not None
    return staged


def _check_chain(before: Staged, after: Staged) -> None:
    """What the staged campaign says its build took again of the one before (the plan takes
    those people's digests from its basis, plan/proportional.py): the very values."""
    if after.content_sha256 == before.content_sha256:
        return  # not staged again (the same campaign, or refused): the chain it had
    chain = after.chain
    assert chain is not None and chain.previous == before.content_sha256
    then = {eleve.eleve_id: eleve for eleve in before.snapshot.eleves}
    now = {eleve.eleve_id: eleve for eleve in after.snapshot.eleves}
    assert chain.eleves <= now.keys()
    assert all(now[eleve_id] == then[eleve_id] for eleve_id in chain.eleves)
    if chain.responsables:
        assert (after.snapshot.responsables, after.snapshot.guardianships) == (
            before.snapshot.responsables, before.snapshot.guardianships)


def test_unchanged_files_are_not_read_again(colleges: list[GeneratedCollege],
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the changed file is read; the others' records come from what was kept."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    folder = _changed(college.folders[0], colleges, [("move", 3)], tmp_path / "changed")
    read: list[str] = []
    original = campaign.read_export
    monkeypatch.setattr(campaign, "read_export",
                        lambda path, limits, earlier: read.append(path.name)
                        or original(path, limits, earlier))
    shown: list[str] = []
    campaign.import_exports(settings, sorted(folder.iterdir()), now=NOW,
                            on_file=lambda path: shown.append(path.name))
    assert read == [ELEVES]
    assert shown == sorted(path.name for path in folder.iterdir())  # progress as before


def test_only_the_changed_records_are_parsed(colleges: list[GeneratedCollege], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the changed file, the records whose bytes did not change are not parsed again."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    folder = _changed(college.folders[0], colleges, [("move", 3), ("rename", 5)],
                      tmp_path / "changed")
    parsed: list[str] = []
    for name in ("_eleve", "_structure_links", "_option"):
        original = getattr(siecle, name)
        monkeypatch.setattr(siecle, name, lambda source, element, name=name, original=original:
                            parsed.append(name) or original(source, element))
    campaign.import_exports(settings, sorted(folder.iterdir()), now=NOW)
    assert sorted(parsed) == ["_eleve", "_structure_links"]


def _decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kept files whose records are decoded whole, by name."""
    decoded: list[str] = []
    original = KeptFile.export
    monkeypatch.setattr(KeptFile, "export", lambda kept: decoded.append(kept.name)
                        or original(kept))
    return decoded


def test_the_responsables_kept_are_not_decoded_when_their_part_is(
        colleges: list[GeneratedCollege], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged responsables file, checked against the same ELEVE_IDs: the build takes its
    part again, and its people and links are not decoded (only the élèves file's are, whose
    unchanged records are taken again)."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    folder = _changed(college.folders[0], colleges, [("move", 3)], tmp_path / "changed")
    decoded = _decoded(monkeypatch)
    campaign.import_exports(settings, sorted(folder.iterdir()), now=NOW)
    assert [name.split("/")[0] for name in decoded if "Responsables" in name
            or "Eleves" in name] == [ELEVES]


def test_the_responsables_are_decoded_when_the_eleve_ids_change(
        colleges: list[GeneratedCollege], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An élève gone: the links are checked against other ELEVE_IDs, the part is built again
    from the responsables file's records, decoded whole; the campaign is a full import's."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    full = _staged(tmp_path / "full", college, keep=False)
    folder = _changed(college.folders[0], colleges, [("leave", 3)], tmp_path / "changed")
    decoded = _decoded(monkeypatch)
    outcome = _outcome(settings, folder)
    assert any(name.startswith(RESPONSABLES) for name in decoded)
    assert outcome == _outcome(full, folder)


def test_the_budget_counts_the_records_left_out(colleges: list[GeneratedCollege],
                                                tmp_path: Path) -> None:
    """The responsables' people and links, not decoded, still count in the import's budget of
    records: an import over it is refused as a full import is, one within it staged alike."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    full = _staged(tmp_path / "full", college, keep=False)
    folder = _changed(college.folders[0], colleges, [("move", 3)], tmp_path / "changed")
    paths = sorted(folder.iterdir())
    responsables = read_export(folder / RESPONSABLES).record_count
    total = sum(read_export(path).record_count for path in paths)
    outcomes = [(_outcome(replace(settings, max_export_records=limit), folder),
                 _outcome(replace(full, max_export_records=limit), folder))
                for limit in (total - responsables // 2, total + BUDGET_ROOM)]
    assert [incremental[0] == "refused" for incremental, _full in outcomes] == [True, False]
    assert all(incremental == whole for incremental, whole in outcomes)


def test_what_an_outline_leaves_out_is_kept_for_the_next_import(
        colleges: list[GeneratedCollege], tmp_path: Path) -> None:
    """A re-import that took the responsables file in outline keeps its records whole for the
    next one: a second change that needs them (an élève gone) gives a full import's campaign."""
    college = colleges[0]
    settings = _staged(tmp_path / "home", college, keep=True)
    full = _staged(tmp_path / "full", college, keep=False)
    moved = _changed(college.folders[0], colleges, [("move", 3)], tmp_path / "moved")
    _outcome(settings, moved)
    _outcome(full, moved)
    with open_store(full.store_url).begin() as connection:
        connection.execute(staged_snapshot.update().values(kept=None))
    left = _changed(moved, colleges, [("leave", 5)], tmp_path / "left")
    assert _outcome(settings, left) == _outcome(full, left)
