"""bulk_phase: Python's cycle collector paused while a stage makes many short-lived objects.

An import, a plan, an apply or a directory sync builds hundreds of thousands of records, tuples,
rows and dataclasses that hold no reference cycles: reference counting frees them all. The cycle
collector, triggered by allocation counts, meanwhile walks the whole live heap again and again:
a fifth to a third of those stages' time (benchmarks/rollover.py, benchmarks/ldap_sync.py).
It resumes at the end of the phase. What the phase made and still holds (a plan, a snapshot, an
apply's images: some 100,000 objects) is then moved to the oldest generation at once, as
`gc.freeze` and `gc.unfreeze` do, instead of being walked by the young generations' next passes
(measured: a tenth of a first rollover's CPU went to those passes); a cycle made in the phase is
collected by the next full pass, which Python makes as the old generation grows.
No SQL, XML or I/O here: every layer, the pure core included, may use it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_phases = 0  # running now, in every thread (the console applies and imports concurrently)
_was_enabled = True  # the collector's state when the first of them began


@contextmanager
def bulk_phase() -> Iterator[None]:
    """The collector paused for the block, and the objects alive before it frozen (left out of
    its passes); restored as it was when the last running phase ends (nested, or in other
    threads), even on an error, with everything alive then in the oldest generation."""
    global _phases, _was_enabled
    with _LOCK:
        if _phases == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
            gc.freeze()
        _phases += 1
    try:
        yield
    finally:
        with _LOCK:
            _phases -= 1
            if _phases == 0:
                gc.freeze()  # the phase's survivors too, and the young generations' counts to 0
                gc.unfreeze()
                if _was_enabled:
                    gc.enable()
