"""POSIX numbers: given once per school, kept for their owner, never given to anyone else;
structures named in the order they appeared, so that a name stays with its structure."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import insert

from bascule.store.engine import open_store
from bascule.store.schema import fact
from bascule.targets.model import group_names_of
from bascule.targets.store_view import posix_numbers, school_view, structure_history


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


def test_a_division_keeps_its_group_name_when_a_colliding_one_appears_a_year_later(
        tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")

    def structure(year: int, code: str) -> dict[str, object]:
        return {"uai": "0860999U", "school_year": year, "kind": "structure",
                "subject": f"D:{code}", "target": "", "detail": json.dumps([code, []])}

    with engine.begin() as connection:
        connection.execute(insert(fact), [structure(2025, "5 B-1"), structure(2026, "5 B-1"),
                                          structure(2026, "5 B 1")])
        history = structure_history(connection, "0860999U")
        names = group_names_of(school_view(connection, "0860999U"))
    assert history[("classe", "5 B-1")] == 2025 and history[("equipe", "5 B 1")] == 2026
    # « 5 B 1 » sorts first, but « 5 B-1 » had the name first: it keeps it.
    assert names["classe", "5 B-1"] == "classe-5-b-1"
    assert names["classe", "5 B 1"] == "classe-5-b-1-2"
