"""Work proportional to the change (issue 22): a re-import where a few élèves changed division
plans exactly their moves, nothing for anyone else; the same files again plan nothing."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bascule.operations import campaign
from bascule.plan.model import ActionKind, FieldChange
from bascule.settings import Settings, init_home
from bascule.synthetic.changes import move_eleves
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def rolled_over() -> Iterator[tuple[Settings, GeneratedCollege, Path]]:
    """One generated collège, rolled over once (module-wide: the examples only import and
    plan, which leave the directory as it is)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (college,) = generate_campaigns(root / "exports", seed=22, year=2025, size=150)
        settings, _ = init_home(root / "home", college.uai, college.name)
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, college.uai, now=NOW)
        campaign.apply_saved_plan(settings, college.uai, now=NOW, actor="test")
        yield settings, college, root


def _plan_of(settings: Settings, uai: str, folder: Path) -> campaign.Plan:
    campaign.import_exports(settings, sorted(folder.iterdir()), now=NOW)
    return campaign.plan_campaign(settings, uai, now=NOW)


@hypothesis_settings(max_examples=8, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), count=st.integers(1, 4))
def test_a_few_moves_plan_those_moves_only(
        rolled_over: tuple[Settings, GeneratedCollege, Path], seed: int, count: int) -> None:
    settings, college, root = rolled_over
    with tempfile.TemporaryDirectory(dir=root) as folder:
        moved = move_eleves(college.folders[0], Path(folder) / "moved", count,
                            random.Random(seed))
        plan = _plan_of(settings, college.uai, Path(folder) / "moved")
    moved_keys = {f"eleve:{eleve_id}": divisions for eleve_id, divisions in moved.items()}
    assert {(a.person, a.changes) for a in plan.actions if a.kind is ActionKind.MOVE} == {
        (key, (FieldChange("division", old, new),)) for key, (old, new) in moved_keys.items()}
    facts = [a.fact for a in plan.actions if not a.kind.is_account_action]
    assert all(fact is not None and fact.kind == "member" for fact in facts)
    assert {(a.kind, a.fact.subject, a.fact.target) for a in plan.actions if a.fact} == {
        *((ActionKind.REMOVE, key, f"D:{old}") for key, (old, _new) in moved_keys.items()),
        *((ActionKind.ADD, key, f"D:{new}") for key, (_old, new) in moved_keys.items())}
    assert len(facts) == 2 * len(moved)
    assert {a.kind for a in plan.actions} <= {ActionKind.MOVE, ActionKind.ADD, ActionKind.REMOVE}


def test_the_same_exports_again_plan_nothing(
        rolled_over: tuple[Settings, GeneratedCollege, Path]) -> None:
    settings, college, _root = rolled_over
    assert _plan_of(settings, college.uai, college.folders[0]).is_empty
