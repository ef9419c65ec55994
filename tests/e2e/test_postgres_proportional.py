"""A plan loaded in part (plan/reach.py) on PostgreSQL, where the reduced load binds its lists
as one `= ANY` array each (store/batch.py): the same plan and basis as the full path."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bascule.operations import campaign
from bascule.plan.compute import plan_and_basis
from bascule.store.engine import open_store
from bascule.store.staging import stage_snapshot
from tests.plan.test_proportional_equal import (
    NOW,
    _changed,
    _options,
    two_rolled_over,
)


def test_a_plan_loaded_in_part_on_postgresql_is_the_full_plan(
        tmp_path: Path, postgres_url: str) -> None:
    settings, (left, arrived) = two_rolled_over(tmp_path, postgres_url)
    # An élève of the first collège arrives in the second (found there by INE: a transfer),
    # beside moves, a homonym, a new birth date and a renamed responsable.
    _index, eleve = next((i, e) for i, e in enumerate(left.snapshot.eleves) if e.ine)
    newcomer = dataclasses.replace(eleve, eleve_id="9999999", elenoet=None,
                                   division=arrived.snapshot.divisions[0].code)
    snapshot = _changed(dataclasses.replace(arrived.snapshot,
                                            eleves=(*arrived.snapshot.eleves, newcomer)),
                        [("move", 3, 1), ("homonym", 5, 7), ("new_birth_date", 8, 40),
                         ("responsable_renamed", 2, 3), ("staff_renamed", 1, 4)])
    engine = open_store(settings.store_url)
    stage_snapshot(engine, snapshot, NOW, [])
    options = _options(settings, snapshot.uai)
    _staged, reduced, basis, prepared = campaign.staged_for_plan(
        engine, settings, snapshot.uai, options, now=NOW)
    assert basis is not None and reduced.unreached and len(reduced.elsewhere) == 1
    assert 0 < len(reduced.people) < len(reduced.unreached)
    _staged, full = campaign.staged_and_state(engine, settings, snapshot.uai)
    assert plan_and_basis(snapshot, reduced, now=NOW, basis=basis, options=options,
                          prepared=prepared) == plan_and_basis(snapshot, full, now=NOW,
                                                               options=options)
