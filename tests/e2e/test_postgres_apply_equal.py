"""On PostgreSQL, the apply's writes at the driver's speed (COPY for the bulk inserts, the
driver's executemany for the rest) leave the store exactly as Core's own statements do: the
comparison of tests/store/test_apply_equal.py, through a first rollover, a re-import, the next
school year and its undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.postgres import new_database
from tests.store.test_apply_equal import (
    rolled_through_the_years,
    same_passwords,  # noqa: F401  (a fixture)
    store_dump,
    through_core,
)


@pytest.mark.usefixtures("same_passwords")
def test_the_postgresql_store_after_every_kind_of_apply_is_the_one_core_writes(
        tmp_path: Path, postgres_server: str, postgres_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    exports = tmp_path / "exports"
    batched = store_dump(rolled_through_the_years(tmp_path / "batched", exports, postgres_url))
    with through_core(monkeypatch):
        core = store_dump(rolled_through_the_years(
            tmp_path / "core", exports, new_database(postgres_server)))
    assert batched.keys() == core.keys()
    for name in core:
        assert batched[name] == core[name], name
    assert len(core["person"]) > 300 and len(core["applied_plan"]) == 6
