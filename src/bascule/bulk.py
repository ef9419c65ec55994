"""bulk_phase: Python's cycle collector paused while a stage makes many short-lived objects.

An import, a plan or a directory sync builds hundreds of thousands of records, tuples and
dataclasses that hold no reference cycles: reference counting frees them all. The cycle
collector, triggered by allocation counts, meanwhile walks the whole live heap again and again:
a fifth to a third of those stages' time (benchmarks/rollover.py, benchmarks/ldap_sync.py).
It resumes at the end of the phase, which then collects whatever cycle was made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk_phase() -> Iterator[None]:
    """The collector paused for the block; nested phases resume it only at the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
