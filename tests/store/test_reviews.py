"""The review queue in the store: a decision followed by its reversal leaves the store as it was
(hypothesis over the typing variant, the decision, and whether a plan was applied between)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bascule.operations import campaign, reviews
from bascule.plan.model import Choice
from bascule.settings import init_home
from bascule.store.engine import open_store
from bascule.store.schema import account, fact, login, person, person_source_id
from tests.cli.test_review import UAI, _export

VARIANTS = ("Lena Marie", "LÉNA MARIE", "Léna-Marie", "Lena  Marie")  # equal once folded


def _store(store_url: str) -> dict[str, list[tuple[object, ...]]]:
    """People, their ids, accounts, logins and memberships (the year's structures aside: they
    come with the campaign, whoever the held person is)."""
    with open_store(store_url).connect() as connection:
        rows = {table.name: sorted(tuple(row) for row in connection.execute(select(table)))
                for table in (person, person_source_id, account, login)}
        rows["fact"] = sorted(tuple(row) for row in connection.execute(
            select(fact).where(fact.c.kind != "structure")))
    return rows


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variant=st.sampled_from(VARIANTS), choice=st.sampled_from(list(Choice)),
       applied=st.booleans())
def test_a_decision_then_its_reversal_leaves_the_store_as_it_was(
        variant: str, choice: Choice, applied: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        home, _ = init_home(root / "home", UAI, "Collège")
        first = datetime(2025, 9, 16, 8, tzinfo=UTC)
        for year, eleve_id, first_name, at in ((2025, "145778", "Lena-Marie", first),
                                               (2026, "151999", variant, first.replace(2026))):
            exports = _export(root / str(year), year, eleve_id, first_name)
            campaign.import_exports(home, campaign.export_paths([exports]), now=at)
            plan = campaign.plan_campaign(home, UAI, now=at)
            if year == 2025:
                campaign.apply_saved_plan(home, UAI, now=at, actor="test")
        assert [case.person for case in plan.reviews] == ["eleve:151999"]
        before = _store(home.store_url)
        now = first.replace(2026) + timedelta(minutes=5)
        reviews.resolve_review(home, UAI, "1", choice, candidate=None, by=None, actor="test",
                               now=now)
        if applied:
            campaign.plan_campaign(home, UAI, now=now)
            campaign.apply_saved_plan(home, UAI, now=now, actor="test", allow_mass_leave=True)
        if choice is Choice.DIFFERENT and applied:
            return  # a new account was created for a new person: nothing to take back
        reviews.reverse_review(home, UAI, "1", by=None, actor="test", now=now)
        assert _store(home.store_url) == before
