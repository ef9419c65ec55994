"""The store's compression (store/compression.py): zstd written, zstd and zlib read back, any
other bytes refused."""

from __future__ import annotations

import threading
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bascule.store.compression import ZSTD_MAGIC, CorruptData, compress, decompress


@given(data=st.binary(max_size=5000))
def test_what_is_compressed_is_read_back(data: bytes) -> None:
    packed = compress(data)
    assert packed.startswith(ZSTD_MAGIC)
    assert decompress(packed) == data
    assert decompress(memoryview(b"\x02" + packed)[1:]) == data


@given(data=st.binary(max_size=5000))
def test_what_zlib_compressed_is_still_read(data: bytes) -> None:
    assert decompress(zlib.compress(data, 1)) == data


@pytest.mark.parametrize("damaged", [b"", b"plain text", ZSTD_MAGIC + b"\x00\x01",
                                     zlib.compress(b"campagne" * 100)[:-6]])
def test_other_bytes_are_refused(damaged: bytes) -> None:
    with pytest.raises(CorruptData):
        decompress(damaged)


def test_threads_compress_at_the_same_time() -> None:
    documents = [bytes([n]) * 200_000 + bytes(range(256)) * n for n in range(8)]
    results: dict[int, bytes] = {}

    def work(n: int) -> None:
        for _ in range(20):
            results[n] = decompress(compress(documents[n]))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict(enumerate(documents))
