"""The key that seals passwords for the targets: made once, even by processes racing for it
(a night's workers), never read half written."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bascule.store.sealed import Sealer


def _seal_and_key(path: str) -> bytes:
    sealer = Sealer.from_key_file(Path(path))
    assert sealer.open(sealer.seal("s3cret")) == "s3cret"
    return Path(path).read_bytes()


def test_processes_racing_to_make_the_key_all_get_the_same_one(tmp_path: Path) -> None:
    for attempt in range(5):
        path = tmp_path / str(attempt) / "secrets" / "cle-mots-de-passe"
        with ProcessPoolExecutor(max_workers=4) as pool:
            keys = set(pool.map(_seal_and_key, [str(path)] * 8))
        assert len(keys) == 1
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["cle-mots-de-passe"]  # no leftover
