"""bulk_phase: the cycle collector paused for the block, and restored as it was, even on an
error, by the last of nested phases."""

from __future__ import annotations

import gc
import weakref

import pytest

from bascule.bulk import bulk_phase


def test_the_collector_is_paused_and_restored_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk_phase():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        with bulk_phase():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer phase still runs
        raise RuntimeError
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with bulk_phase():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Node:
    def __init__(self) -> None:
        self.other: object = self  # a cycle: only the collector frees it


def test_what_the_phase_made_goes_to_the_oldest_generation_unwalked_and_cycles_still_go() -> None:
    with bulk_phase():
        kept = [[] for _ in range(5000)]  # tracked containers the phase leaves alive
        cycle = weakref.ref(_Node())
    assert gc.get_count()[0] < 700  # no pass of the young generations over them is due
    assert any(each is kept for each in gc.get_objects(generation=2))
    assert cycle() is not None  # not collected yet, but by the next full pass
    gc.collect()
    assert cycle() is None
