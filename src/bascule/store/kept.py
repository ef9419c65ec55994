"""What an import keeps for the next one of its school, beside the staged campaign: the records
of each file it read and its build's parts (snapshot/memo.py). A re-import then reads again only
the files whose bytes changed, and builds again only the élèves whose inputs changed (issue 22).

Kept parts are a saving, never a source of truth: they are named by what they were made from
(each file's name, SHA-256 and the limits it was read within; the code of the readers and
builders), and anything that does not match, or cannot be decoded, is simply read and built
again.
"""

from __future__ import annotations

import hashlib
import json
import sys
import typing
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields, make_dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from lxml import etree
from sqlalchemy import Engine, func, select

import bascule
from bascule.exports.records import ExportFile
from bascule.exports.source import ExportLimits
from bascule.snapshot.memo import EleveInputs, EleveUnit, KeptBuild, ResponsablesPart
from bascule.store.compression import compress, decompress
from bascule.store.schema import staged_snapshot

T = TypeVar("T")

# The packages whose code makes records and snapshots: a change in any of them makes kept parts
# of older code worthless (they might differ from what this code gives).
_BUILT_BY = ("exports", "snapshot", "domain", "errors.py")
# A ValidationError is a DecodeError; store/compression.py's CorruptData a ValueError.
_UNDECODABLE = (ValueError, msgspec.DecodeError)
# Each part MessagePack compressed by zstd (store/compression.py: about a fifth of its size,
# a collège's in under 2 ms), not hashed (unlike store/codec.py's campaigns and plans: nothing
# names them by hash).
_ENCODER = msgspec.msgpack.Encoder()
_RECORDS = msgspec.msgpack.Decoder(ExportFile)
# What an outline leaves out: the bulk of a responsables file, needed only by a build that does
# not take its responsables part again (snapshot/memo.py); MessagePack skips them undecoded.
_LEFT_OUT = ("personnes", "guardian_links", "given")
_OUTLINED = tuple(field.name for field in fields(ExportFile) if field.name not in _LEFT_OUT)
_OUTLINE: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(make_dataclass(
    "_Outline", [(name, typing.get_type_hints(ExportFile)[name], field)
                 for field in fields(ExportFile) if (name := field.name) in _OUTLINED]))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptFile:
    """One file's records (an ExportFile as MessagePack), by the file's name
    (``a.zip/inner.xml`` for a zip) and SHA-256: an unchanged file's are kept again as they
    are, neither decoded nor encoded. `given`, the file as given (ExportFile.given), is kept
    beside them: a zip's bytes are not compressed again."""

    name: str
    sha256: str
    records: bytes
    given: bytes | None = None
    count: int | None = None  # its records (ExportFile.record_count); None: an older bascule's

    def is_named(self, name: str) -> bool:
        """Whether it was kept of the file `name` (a zip's own name)."""
        return self.name.split("/", 1)[0] == name

    def export(self) -> ExportFile | None:
        """Its records; None if they cannot be decoded."""
        with suppress(*_UNDECODABLE):
            export = _RECORDS.decode(decompress(self.records))
            export.given = self.given
            return export
        return None

    def outline(self) -> Taken | None:
        """Its records but a responsables file's people and links (`_LEFT_OUT`), which are
        skipped, not decoded; None if they cannot be decoded or were kept without their count.
        """
        if self.count is None:
            return None
        with suppress(*_UNDECODABLE):
            outline = _OUTLINE.decode(decompress(self.records))
            export = ExportFile(**{name: getattr(outline, name) for name in _OUTLINED},
                                given=self.given)
            return Taken(export, self.count, partial=export.record_count != self.count)
        return None


@dataclass(frozen=True, slots=True)
class Taken:
    """A kept file's records as an import takes them again: `export`, and `count`, the number
    of records the file has (what the import's budget counts). `partial`: a responsables
    file's people and links were left out (`KeptFile.outline`), to be read only when the
    build cannot take again its responsables part (`KeptParts.whole`)."""

    export: ExportFile
    count: int
    partial: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptParts:
    code: str  # `code_version()` of the bascule that kept them
    max_bytes: int
    max_ratio: int
    max_elements: int
    files: tuple[KeptFile, ...]
    build: bytes  # the KeptBuild (snapshot/memo.py), as a _StoredBuild

    def reads_like(self, limits: ExportLimits) -> bool:
        """Whether files read within `limits` by this code give these records."""
        return (self.code == code_version() and self.max_bytes == limits.max_bytes
                and self.max_ratio == limits.max_ratio
                and self.max_elements == limits.max_elements)

    def take(self, name: str, sha256: str) -> Taken | None:
        """The records of the file named `name` (a zip's own name) with these bytes, a
        responsables file's people and links left out when its count was kept
        (`KeptFile.outline`): `whole` reads them if the build needs them."""
        kept = next((kept for kept in self.files
                     if kept.sha256 == sha256 and kept.is_named(name)), None)
        if kept is None:
            return None
        taken = kept.outline()
        if taken is not None:
            return taken
        export = kept.export()
        return Taken(export, export.record_count) if export is not None else None

    def whole(self, export: ExportFile) -> ExportFile | None:
        """The records of a file `take` gave in part, all of them; None if they cannot be
        decoded."""
        return next((kept.export() for kept in self.files
                     if kept.sha256 == export.sha256 and kept.name == export.name), None)

    def earlier(self, name: str) -> ExportFile | None:
        """The records of the file named `name` (a zip's own name) whatever its bytes: those
        a changed file may take again (exports/chunks.py)."""
        return next((kept.export() for kept in self.files if kept.is_named(name)), None)

    def built(self) -> Built | None:
        """The build's parts, each decoded when asked for; None if they cannot be read."""
        with suppress(*_UNDECODABLE):
            return Built(_STORED_BUILD.decode(decompress(self.build)))
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class _StoredBuild:
    """A KeptBuild as kept: each élève's unit encoded on its own, beside its ELEVE_ID and the
    fingerprint of its inputs, so that the next import decodes only the units it takes again
    and keeps them again without encoding them."""

    eleve_ids: tuple[str, ...] = ()
    inputs: tuple[bytes, ...] = ()
    units: tuple[bytes, ...] = ()  # EleveUnit
    responsables: bytes | None = None  # ResponsablesPart


_STORED_BUILD = msgspec.msgpack.Decoder(_StoredBuild)
_UNIT = msgspec.msgpack.Decoder(EleveUnit)
_RESPONSABLES = msgspec.msgpack.Decoder(ResponsablesPart)


class Built:
    """The previous import's build (snapshot/memo.py's PreviousBuild): a unit is decoded only
    when the élève's inputs are the same, and its bytes are remembered to be kept again."""

    def __init__(self, stored: _StoredBuild) -> None:
        self._stored = stored
        self._index = {eleve_id: index for index, eleve_id in enumerate(stored.eleve_ids)}
        self._taken: list[object] = []  # alive while their id() names them in `encoded`
        self.encoded: dict[int, bytes] = {}
        self._responsables: list[ResponsablesPart | None] = []  # decoded once, when asked

    def unit(self, eleve_id: str, inputs: bytes) -> EleveUnit | None:
        index = self._index.get(eleve_id)
        if index is None or self._stored.inputs[index] != inputs:
            return None
        return self._taken_again(self._stored.units[index], _UNIT)

    def responsables(self) -> ResponsablesPart | None:
        """Decoded once: the import asks whether its people are needed (`KeptParts.take`),
        then the build takes the part."""
        if not self._responsables:
            data = self._stored.responsables
            self._responsables.append(
                self._taken_again(data, _RESPONSABLES) if data is not None else None)
        return self._responsables[0]

    def _taken_again(self, data: bytes, decoder: msgspec.msgpack.Decoder[T]) -> T | None:
        try:
            value = decoder.decode(data)
        except msgspec.DecodeError:
            return None
        self._taken.append(value)
        self.encoded[id(value)] = data
        return value


def kept_parts(files: Sequence[ExportFile], build: KeptBuild, limits: ExportLimits,
               previous: KeptParts | None, built: Built | None = None) -> KeptParts:
    """What this import keeps: `previous`'s records of the files it had, the others encoded;
    the build's units taken again from `built` as they were kept, the others encoded."""
    known = {(kept.name, kept.sha256): kept for kept in previous.files} if previous else {}
    return KeptParts(
        code=code_version(), max_bytes=limits.max_bytes, max_ratio=limits.max_ratio,
        max_elements=limits.max_elements,
        files=tuple(known.get((export.name, export.sha256)) or _kept_file(export)
                    for export in files),
        build=_packed(_stored(build, built.encoded if built else {})))


def _kept_file(export: ExportFile) -> KeptFile:
    return KeptFile(name=export.name, sha256=export.sha256,
                    records=_packed(replace(export, given=None)), given=export.given,
                    count=export.record_count)


def _stored(build: KeptBuild, encoded: dict[int, bytes]) -> _StoredBuild:
    def bytes_of(value: object) -> bytes:
        return encoded.get(id(value)) or _ENCODER.encode(value)

    return _StoredBuild(
        eleve_ids=tuple(unit.eleve_id for unit in build.eleves),
        inputs=tuple(unit.inputs for unit in build.eleves),
        units=tuple(bytes_of(unit) for unit in build.eleves),
        responsables=bytes_of(build.responsables) if build.responsables is not None else None)


_FINGERPRINTS = msgspec.msgpack.Encoder(order="deterministic")


def inputs_fingerprint(inputs: EleveInputs) -> bytes:
    """snapshot/memo.py's Fingerprint: a 128-bit BLAKE2b of the inputs' every field."""
    return hashlib.blake2b(_FINGERPRINTS.encode(inputs), digest_size=16).digest()


def _packed(value: object) -> bytes:
    return compress(_ENCODER.encode(value))


def encode_kept(parts: KeptParts) -> bytes:
    """Stored as is: its parts are compressed already."""
    return _ENCODER.encode(parts)


def kept_for(engine: Engine, uais: Iterable[str], digests: Sequence[str],
             limits: ExportLimits) -> tuple[KeptParts, str] | None:
    """What the newest staged campaign of one of these schools kept, the one read from the
    most files among `digests` (SHA-256), if this code reading within `limits` can use it,
    with that campaign's content hash (what a build taking its parts again chains to,
    snapshot/memo.py `Chain`); None otherwise (no file in common, nothing kept, older code or
    limits, undecodable)."""
    wanted = set(digests)
    newest = (select(func.max(staged_snapshot.c.id))
              .where(staged_snapshot.c.uai.in_(sorted(uais))).group_by(staged_snapshot.c.uai))
    query = (select(staged_snapshot.c.id, staged_snapshot.c.sources)
             .where(staged_snapshot.c.id.in_(newest) & staged_snapshot.c.kept.is_not(None)))
    with engine.connect() as connection:
        common = {row.id: len(wanted & {s["sha256"] for s in json.loads(row.sources)})
                  for row in connection.execute(query)}
        best = max(common, key=lambda campaign_id: (common[campaign_id], campaign_id),
                   default=None)
        if best is None or common[best] == 0:
            return None
        row = connection.execute(select(staged_snapshot.c.kept, staged_snapshot.c.content_sha256)
                                 .where(staged_snapshot.c.id == best)).first()
    if row is None or row.kept is None or (parts := _usable(row.kept, limits)) is None:
        return None
    return parts, row.content_sha256


_PARTS = msgspec.msgpack.Decoder(KeptParts)


def _usable(data: bytes, limits: ExportLimits) -> KeptParts | None:
    try:
        parts = _PARTS.decode(bytes(data))
    except msgspec.DecodeError:  # ValidationError is one
        return None
    return parts if parts.reads_like(limits) else None


@cache
def code_version() -> str:
    """The SHA-256 of the code that reads exports and builds snapshots (and of the versions of
    bascule, lxml, libxml2, msgspec, Python and its Unicode tables, which the names' cleaning
    reads): what kept parts are valid for."""
    digest = hashlib.sha256(
        f"{bascule.__version__} {etree.LXML_VERSION} {etree.LIBXML_VERSION} "
        f"{msgspec.__version__} {sys.version} {unicodedata.unidata_version}".encode())
    root = Path(bascule.__file__).parent
    for name in _BUILT_BY:
        path = root / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(source.relative_to(root)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()
