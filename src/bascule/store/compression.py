"""The compression of what the store keeps in bulk: staged campaigns, saved plans, what an import
keeps for the next one (store/codec.py, store/kept.py).

Zstandard at its fastest level (`zstandard`, the reference library's bindings): on a collège's
MessagePack it compresses three times faster than zlib's fastest level, decompresses three times
faster, and gives a fifth less (issue 22, docs/rollover-measurements.md, sixth session). A zstd
frame starts with its magic number, a zlib stream never does: `decompress` reads both, so that
what an older bascule stored with zlib is read as before.

Only bascule's own documents go through here, never an export: an export's bytes are inflated
by exports/source.py within its limits.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LEVEL = 1
# Neither a compressor nor a decompressor may be used by two threads at once (the console
# reads plans from several): one of each per thread.
_LOCAL = threading.local()


class CorruptData(ValueError):
    """Bytes that neither zstd nor zlib can read back."""


def compress(data: bytes) -> bytes:
    """`data` as a zstd frame (with its size, read back by `decompress`)."""
    compressor = getattr(_LOCAL, "compressor", None)
    if compressor is None:
        compressor = _LOCAL.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return bytes(compressor.compress(data))


def decompress(data: bytes | memoryview) -> bytes:
    """What `compress` made, or a zlib stream (an older store's). Raises CorruptData."""
    try:
        if bytes(data[:4]) != ZSTD_MAGIC:
            return zlib.decompress(data)
        decompressor = getattr(_LOCAL, "decompressor", None)
        if decompressor is None:
            decompressor = _LOCAL.decompressor = zstandard.ZstdDecompressor()
        return bytes(decompressor.decompress(data))
    except (zlib.error, zstandard.ZstdError) as exc:
        raise CorruptData(str(exc)) from exc
