"""What the way back costs an apply, against the same apply without it, in one run.

    .venv/bin/python benchmarks/undo.py [--colleges 3]

Prints, for the two school years of generated collèges applied into two homes:
  bare        apply_plan with neither the record of its changes nor the backup (the baseline);
  recorded    the same apply reading the rows before and after and keeping what differs (and
              how long each of the two takes);
  command     the whole `apply` (slips, passwords), with both, against it without them;
  backup      the copy of the store taken with each apply (SQLite online backup): starting it
              and waiting for it before the apply commits;
  undo        the undo of the second year's applies (plan + apply), against their bare apply.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bascule.operations import backups, campaign
from bascule.operations.undo import plan_undo
from bascule.store import apply as store_apply
from bascule.store.engine import open_store
from bascule.store.history import applied_plans
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from rollover import NOW, home_for, use_hashers  # type: ignore[import-not-found]


class _Clock:
    def __init__(self) -> None:
        self.seconds = 0.0


def _timing(function: Any, clock: _Clock) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            clock.seconds += time.perf_counter() - start
    return timed


def _two_years(root: Path, colleges: list[GeneratedCollege], *, record: bool) -> dict[str, float]:
    clocks = {"apply": _Clock(), "backup": _Clock(), "read": _Clock(), "keep": _Clock(),
              "command": _Clock()}
    originals = (store_apply.capture, store_apply.record_changes, store_apply.apply_plan,
                 campaign.start_backup_before_apply, campaign.finish_backup)
    if record:
        store_apply.capture = _timing(store_apply.capture, clocks["read"])  # type: ignore
        store_apply.record_changes = _timing(  # type: ignore[assignment]
            store_apply.record_changes, clocks["keep"])
    else:
        store_apply.capture = lambda *_a, **_k: {}  # type: ignore[assignment]
        store_apply.record_changes = lambda *_a, **_k: 0  # type: ignore[assignment]
    campaign.apply_plan = _timing(store_apply.apply_plan, clocks["apply"])  # type: ignore
    campaign.start_backup_before_apply = (  # type: ignore[assignment]
        _timing(backups.start_backup_before_apply, clocks["backup"]) if record
        else lambda *_a, **_k: None)
    campaign.finish_backup = _timing(backups.finish_backup, clocks["backup"])  # type: ignore
    try:
        settings = home_for(root, colleges)
        for year in (0, 1):
            now = NOW.replace(year=NOW.year + year)
            for college in colleges:
                campaign.import_exports(settings, sorted(college.folders[year].iterdir()),
                                        now=now)
                campaign.plan_campaign(settings, college.uai, now=now)
                start = time.perf_counter()
                campaign.apply_saved_plan(settings, college.uai, now=now, actor="benchmark",
                                          allow_mass_leave=True, mass_leave_reason="benchmark")
                clocks["command"].seconds += time.perf_counter() - start
        measured = {name: clock.seconds for name, clock in clocks.items()}
        undo = _Clock()
        if record:
            undo_now = NOW.replace(year=NOW.year + 1, day=NOW.day + 1)
            for college in colleges:
                newest = applied_plans(open_store(settings.store_url), college.uai)[0].id
                start = time.perf_counter()
                plan_undo(settings, college.uai, newest, now=undo_now)
                campaign.apply_saved_plan(settings, college.uai, now=undo_now,
                                          actor="benchmark", allow_mass_leave=True,
                                          mass_leave_reason="benchmark")
                undo.seconds += time.perf_counter() - start
    finally:
        (store_apply.capture, store_apply.record_changes, campaign.apply_plan,
         campaign.start_backup_before_apply, campaign.finish_backup) = originals
    return {**measured, "undo": undo.seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--colleges", type=int, default=3)
    arguments = parser.parse_args()
    use_hashers(real=False)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        colleges = generate_campaigns(root / "exports", colleges=arguments.colleges, seed=1,
                                      year=2025)
        bare = _two_years(root / "bare", colleges, record=False)
        kept = _two_years(root / "kept", colleges, record=True)
    print(f"bare       {bare['apply']:.2f} s (baseline: apply_plan, two school years)")
    print(f"recorded   {kept['apply']:.2f} s = {kept['apply'] / bare['apply']:.2f}x bare")
    print(f"  of which reading the rows {kept['read']:.2f} s, keeping what differs "
          f"{kept['keep']:.2f} s")
    print(f"command    {kept['command']:.2f} s = {kept['command'] / bare['command']:.2f}x the "
          f"same without record nor backup ({bare['command']:.2f} s): what `apply` takes")
    print(f"backup     {kept['backup']:.2f} s = {kept['backup'] / bare['apply']:.2f}x bare")
    print(f"undo       {kept['undo']:.2f} s = {kept['undo'] / bare['apply']:.2f}x bare "
          "(plan + apply of the second year's undo)")


if __name__ == "__main__":
    main()
