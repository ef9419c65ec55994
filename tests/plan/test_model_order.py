"""plan/model.py's sort key gives the order of SourceId's own comparison (the plan sorts source
ids by key: the same actions, in the same order)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bascule.plan.model import SOURCE_ID_ORDER, SourceId

_TEXT = st.text(alphabet="aAbé:0 ", max_size=4)


@given(st.sets(st.builds(SourceId, scheme=_TEXT, value=_TEXT)))
def test_source_ids_sorted_by_key_as_by_their_comparison(ids: set[SourceId]) -> None:
    assert sorted(ids, key=SOURCE_ID_ORDER) == sorted(ids)
