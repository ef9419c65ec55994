"""POSIX numbers: given once per school, kept for their owner, never given to anyone else."""

from __future__ import annotations

from pathlib import Path

from bascule.store.engine import open_store
from bascule.targets.store_view import posix_numbers


def test_posix_numbers_are_never_reused(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.begin() as connection:
        first = posix_numbers(connection, "0860999U", ["eleve:1", "eleve:2"], 10000)
        # eleve:1 is gone (deleted): a newcomer gets a fresh number, not its.
        second = posix_numbers(connection, "0860999U", ["eleve:2", "eleve:3"], 10000)
        back = posix_numbers(connection, "0860999U", ["eleve:1"], 10000)
        other_school = posix_numbers(connection, "0861000V", ["eleve:9"], 10000)
    assert first == {"eleve:1": 10000, "eleve:2": 10001}
    assert second["eleve:2"] == 10001 and second["eleve:3"] == 10002
    assert back["eleve:1"] == 10000  # its own number, when it comes back
    assert other_school["eleve:9"] == 10000
