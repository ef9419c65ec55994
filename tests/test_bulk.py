"""bulk_phase: the cycle collector paused for the block, and restored as it was, even on an
error, by the last of nested phases."""

from __future__ import annotations

import gc

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
