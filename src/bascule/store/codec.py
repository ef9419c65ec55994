"""Values <-> stored documents by msgspec, decoded straight into the frozen dataclasses.

Two shapes:
- `encode`/`decode`: the staged campaign and the saved plan, large (a collège's plan is about
  1.3 MB of MessagePack): stored as one format byte, then MessagePack compressed by zstd
  (store/compression.py: about a tenth of the size; zlib before, still read). Their hash is the
  SHA-256 of the MessagePack bytes (deterministic: field order, sets and dicts sorted), so it
  names the content whatever the compression.
- `to_json`/`from_json`: the small values kept as JSON text (warnings, review cases, AAF state).

Stores written before msgspec hold the same values as cattrs JSON text (objects keyed by field
name, enums by value, dates in ISO 8601): `decode` and `from_json` still read them.

Within one process a value is decoded once: `recall` gives back a campaign or plan this process
encoded or decoded, by its hash (content-addressed, so never stale), and only a few are kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import msgspec

from bascule.bulk import bulk_phase
from bascule.plan.model import Plan
from bascule.store.compression import compress, decompress

T = TypeVar("T")

# The format bytes: MessagePack compressed by zstd (what `encode` writes), or by zlib (what it
# wrote before); cattrs JSON text starts with "{".
MSGPACK_ZSTD = b"\x02"
MSGPACK_ZLIB = b"\x01"
_ENCODER = msgspec.msgpack.Encoder(order="deterministic")
_JSON_ENCODER = msgspec.json.Encoder(order="deterministic")


@dataclass(frozen=True, slots=True)
class Encoded:
    """What is stored (`data`) and the hash that names the content (hex SHA-256)."""

    data: bytes
    sha256: str


def encode(value: object) -> Encoded:
    packed = _ENCODER.encode(value)
    encoded = Encoded(MSGPACK_ZSTD + compress(packed),
                      hashlib.sha256(packed).hexdigest())
    _remember(encoded.sha256, value)
    return encoded


def decode(data: bytes | str, kind: type[T]) -> T:
    """A value `encode` stored, or the cattrs JSON text of an older store.
    Raises ValueError for data of neither format."""
    if isinstance(data, str) or data[:1] == b"{":
        return _from_legacy_json(data, kind)
    if data[:1] not in (MSGPACK_ZSTD, MSGPACK_ZLIB):
        raise ValueError(f"unknown stored format {data[:1]!r}")
    packed = decompress(memoryview(data)[1:])
    # A plan is some 100,000 new objects and no cycle: the collector would only walk the
    # process's live objects again and again (most of the time of a decode in a busy process).
    with bulk_phase():
        return cast(T, _msgpack_decoder(kind).decode(packed))


def as_json(data: bytes, kind: type[object]) -> str:
    """A stored value as JSON text (for people or other tools): an older store's JSON as is."""
    if data[:1] == b"{":
        return data.decode("utf-8")
    return to_json(decode(data, kind))


def recall(sha256: str, kind: type[T], fetch: Callable[[], bytes | str]) -> T:
    """The value of this hash: the one this process already holds, else `fetch`ed and decoded."""
    with _RECENT_LOCK:
        known = _RECENT.get((kind, sha256))
        if known is not None:
            _RECENT.move_to_end((kind, sha256))
            return cast(T, known)
    value = decode(fetch(), kind)
    _remember(sha256, value)
    return value


def to_json(value: object) -> str:
    return _JSON_ENCODER.encode(value).decode()


def from_json(document: str | bytes, kind: type[T]) -> T:
    return _from_legacy_json(document, kind)


# A few values only: a night runs import, plan and apply of one school before the next one.
_KEPT = 4
_RECENT: OrderedDict[tuple[type, str], object] = OrderedDict()
_RECENT_LOCK = threading.Lock()  # the console reads plans from several threads


def _remember(sha256: str, value: object) -> None:
    with _RECENT_LOCK:
        _RECENT[(type(value), sha256)] = value
        _RECENT.move_to_end((type(value), sha256))
        while len(_RECENT) > _KEPT:
            _RECENT.popitem(last=False)


# A decoder per type: building one walks the type's fields (a few ms for a Plan).
_MSGPACK_DECODERS: dict[type, msgspec.msgpack.Decoder[Any]] = {}
_JSON_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def _msgpack_decoder(kind: type) -> msgspec.msgpack.Decoder[Any]:
    if kind not in _MSGPACK_DECODERS:
        _MSGPACK_DECODERS[kind] = msgspec.msgpack.Decoder(kind)
    return _MSGPACK_DECODERS[kind]


def _json_decoder(kind: type) -> msgspec.json.Decoder[Any]:
    if kind not in _JSON_DECODERS:
        _JSON_DECODERS[kind] = msgspec.json.Decoder(kind)
    return _JSON_DECODERS[kind]


def _from_legacy_json(document: str | bytes, kind: type[T]) -> T:
    try:
        return cast(T, _json_decoder(kind).decode(document))
    except msgspec.ValidationError:
        if kind is not Plan:
            raise
    # A plan saved before FieldChange held each change as a [field, old, new] list.
    raw = msgspec.json.decode(document)
    for action in raw.get("actions", ()):
        action["changes"] = [_field_change(change) for change in action.get("changes", ())]
    return msgspec.convert(raw, kind)


def _field_change(change: Any) -> Any:
    return dict(zip(("field", "old", "new"), change, strict=True)) if isinstance(
        change, list) else change
