"""The journal's detail in words: what a move or an update changed, old → new."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bascule.store.audit import AuditFilter, journal_entries
from bascule.store.engine import open_store
from bascule.store.schema import journal

UAI = "0861000V"


def test_a_move_says_which_division_it_left_and_joined(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    detail = {"profile": "eleve", "label": "ANDRÉ Anaïs", "division": "4EME5", "logins": {},
              "changes": [["division", "5A", "4EME5"], ["groups", "", "4ESP 3"]]}
    with engine.begin() as connection:
        connection.execute(insert(journal).values(
            at=datetime(2026, 9, 1, 8, tzinfo=UTC), actor="cli:root", uai=UAI, action="move",
            subject="eleve:1", detail=json.dumps(detail)))
    (entry,) = journal_entries(engine, UAI, AuditFilter(limit=10))
    assert entry.detail_label == "division : 5A → 4EME5; groupes : (vide) → 4ESP 3"
