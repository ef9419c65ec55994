"""The record of an apply reads only the rows its plan may touch (store/changes.py): it still
holds every row the apply changed, and only those, whatever the campaign."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from bascule.operations import campaign
from bascule.settings import init_home
from bascule.store.schema import (
    account,
    applied_change,
    breaker_mark,
    delegation,
    fact,
    login,
    pending_password,
    person,
    person_source_id,
)
from bascule.synthetic.generate import generate_campaigns

_TRACKED = {  # each table an apply records, with the columns naming a row
    person: ("id",), account: ("person_id",), login: ("uai", "namespace", "login"),
    person_source_id: ("person_id", "scheme", "value"), delegation: ("id",),
    pending_password: ("person_id",),
    fact: ("uai", "school_year", "kind", "subject", "target", "detail"),
    breaker_mark: ("uai", "school_year", "profile"),
}


def _whole_store(url: str) -> dict[tuple[str, tuple[object, ...]], tuple[object, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = {(table.name, tuple(row._mapping[c] for c in key)): tuple(row)
                for table, key in _TRACKED.items() for row in connection.execute(select(table))}
    engine.dispose()
    return rows


def _recorded(url: str) -> set[tuple[str, tuple[object, ...]]]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        last = connection.execute(select(applied_change.c.apply_id)
                                  .order_by(applied_change.c.apply_id.desc())).scalar()
        lines = connection.execute(select(applied_change.c.table_name, applied_change.c.row_key)
                                   .where(applied_change.c.apply_id == last))
        found = {(line.table_name, tuple(json.loads(line.row_key))) for line in lines}
    engine.dispose()
    return found


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=12, max_value=60),
       keep=st.sampled_from([1.0, 0.7]))
def test_the_record_holds_every_row_the_apply_changed_and_only_those(
        seed: int, size: int, keep: float) -> None:
    from tests.cli.test_rollover import _drop_eleves

    first, second = (datetime(2025, 9, 10, 8, tzinfo=UTC), datetime(2026, 9, 2, 8, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        (college,) = generate_campaigns(Path(folder) / "exports", seed=seed, year=2025,
                                        size=size)
        settings_, _ = init_home(Path(folder) / "home", college.uai, "Collège")
        if keep < 1.0:
            _drop_eleves(next(college.folders[1].glob("*Eleves*")), keep=keep)
        for exports, now in ((college.folders[0], first), (college.folders[1], second)):
            campaign.import_exports(settings_, campaign.export_paths([exports]), now=now)
            campaign.plan_campaign(settings_, college.uai, now=now)
            before = _whole_store(settings_.store_url)
            campaign.apply_saved_plan(settings_, college.uai, now=now, actor="test",
                                      allow_mass_leave=True, mass_leave_reason="test")
            after = _whole_store(settings_.store_url)
            changed = {key for key in before.keys() | after.keys()
                       if before.get(key) != after.get(key)}
            assert _recorded(settings_.store_url) == changed
