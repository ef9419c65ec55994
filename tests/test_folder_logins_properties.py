"""For any order of the rollovers of a folder's schools (a school joining a year later too),
two distinct active people never share an EduConnect id, and no id once given changes
(hypothesis, on generated collèges)."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bascule.operations import campaign
from bascule.settings import init_home
from bascule.synthetic.generate import generate_campaigns

START = {0: datetime(2025, 9, 1, 8, tzinfo=UTC), 1: datetime(2026, 9, 1, 8, tzinfo=UTC)}


def _sequences(colleges: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    """The (college, year) rollovers of a folder: each school year's in any order of the
    schools, a school but the first possibly joining the folder only in the second year."""
    order = st.permutations(range(colleges))
    late = st.lists(st.booleans(), min_size=colleges, max_size=colleges)
    return st.tuples(order, order, late).map(lambda drawn: [
        *((c, 0) for c in drawn[0] if c == 0 or not drawn[2][c]), *((c, 1) for c in drawn[1])])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), size=st.integers(min_value=15, max_value=40),
       data=st.data())
def test_educonnect_ids_of_distinct_active_people_are_distinct_in_the_folder(
        seed: int, size: int, data: st.DataObject) -> None:
    colleges = data.draw(st.integers(min_value=2, max_value=3), label="colleges")
    steps = data.draw(_sequences(colleges), label="steps")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generated = generate_campaigns(root / "exports", colleges=colleges, seed=seed,
                                       year=2025, size=size)
        for college in generated:
            settings_, _ = init_home(root / "home", college.uai, college.name)
        given_ids: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}
        for step, (college_index, year) in enumerate(steps):
            college = generated[college_index]
            now = START[year] + timedelta(minutes=step)  # in the steps' order
            campaign.import_exports(settings_, campaign.export_paths([college.folders[year]]),
                                    now=now)
            campaign.plan_campaign(settings_, college.uai, now=now)
            campaign.apply_saved_plan(settings_, college.uai, now=now, actor="test",
                                      allow_mass_leave=True, mass_leave_reason="test")
            rows = [(c.uai, row) for c in generated for row in campaign.accounts(settings_, c.uai)]
            active = Counter(row.educonnect for _uai, row in rows
                             if row.educonnect and row.status == "active")
            assert [login for login, count in active.items() if count > 1] == []
            for uai, row in rows:
                if row.educonnect:
                    who = (uai, row.profile, tuple(sorted(row.source_ids.items())))
                    assert given_ids.setdefault(who, row.educonnect) == row.educonnect
