"""The apply's writes batched at the driver's speed, against Core's own executemany, in one run.

    .venv/bin/python benchmarks/apply.py [--colleges 5]

The same generated collèges are rolled over (first year, then the next) into two homes:
  core        the apply through SQLAlchemy Core's executemany and row processing, with the
              cycle collector running (the code before issue 22, kept here as the baseline);
  batched     the apply as it is: store/batch.py (statements compiled once, the driver's
              executemany, raw reads compared before decoding), the collector paused
              (bascule/bulk.py).
Prints the CPU time of apply_plan in each (CPU time: the machine may be shared) and the ratio,
and the apply's share of the whole rollover's CPU time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bascule.operations import campaign
from bascule.store import apply as store_apply
from bascule.store import changes, hashing
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from rollover import (  # type: ignore[import-not-found]
    FREE,
    home_for,
    rollover,
    year_folders,
)


class _CpuClock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - start
        return timed


def _core_many(connection: Any, statement: Any, rows: Sequence[Any]) -> None:
    if rows:
        connection.execute(statement, rows)


@contextmanager
def _core_path() -> Iterator[None]:
    """The apply as Core alone writes and reads it, the collector running."""
    saved = (store_apply.execute_many, changes.execute_many, changes.fetch_raw,
             changes.Decoder, store_apply.bulk_phase)
    store_apply.execute_many = changes.execute_many = _core_many  # type: ignore[assignment]
    changes.fetch_raw = lambda connection, query, parameters=None: [  # type: ignore
        tuple(row) for row in connection.execute(query, parameters or {})]
    changes.Decoder = lambda _connection, _columns: tuple  # type: ignore[assignment,misc]
    store_apply.bulk_phase = nullcontext  # type: ignore[assignment]
    try:
        yield
    finally:
        (store_apply.execute_many, changes.execute_many, changes.fetch_raw, changes.Decoder,
         store_apply.bulk_phase) = saved  # type: ignore[assignment,misc]


def _two_years(root: Path, colleges: list[GeneratedCollege]) -> tuple[float, float]:
    """CPU seconds of apply_plan, and of the whole rollover, over two school years."""
    clock, original = _CpuClock(), campaign.apply_plan
    campaign.apply_plan = clock.wrap(original)
    settings = home_for(root, colleges)
    start = time.process_time()
    try:
        rollover(settings, year_folders(colleges))
        rollover(settings, year_folders(colleges, 1), year=1)
    finally:
        campaign.apply_plan = original
    return clock.seconds, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=5)
    options = parser.parse_args()
    hashing.HASHER = FREE
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        colleges = generate_campaigns(root / "exports", colleges=options.colleges, seed=1,
                                      year=2025)
        _two_years(root / "warm-up", colleges[:1])  # imports and first-use caches, not counted
        with _core_path():
            core_apply, core_total = _two_years(root / "core", colleges)
        apply, total = _two_years(root / "batched", colleges)
    print(f"bascule apply benchmark: {len(colleges)} collèges, two school years, CPU time")
    print(f"  core     apply {core_apply:.2f} s ({core_apply / core_total:.0%} of the rollover's "
          f"{core_total:.2f} s)")
    print(f"  batched  apply {apply:.2f} s ({apply / total:.0%} of the rollover's {total:.2f} s)"
          f"  ratio {apply / core_apply:.2f}x core")


if __name__ == "__main__":
    main()
