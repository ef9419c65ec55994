"""A phase profiler for the benchmarks: where a run's time goes, by stage, wall and CPU.

    with PhaseProfiler(ROLLOVER_PHASES) as phases:
        work()
    phases.totals()  # {phase: Spent(wall, cpu)}, each phase's own time (nested phases apart)

Each phase is a list of functions named "module:attribute" (or "module:Class.method"); the
profiler wraps them for the duration of the block, wherever a module imported them by name, and
counts a phase's own time: a phase called inside another (the change record inside the apply's
SQL) is taken out of the outer one, so that the shares add up to the run. A function that no
longer exists (renamed by a later change) is reported by `missing`, not an error.
Two phases are no functions: the cycle collector's passes (`GC`, timed by `gc.callbacks`
wherever they fall) and the CPU of the threads other than the caller's (`THREADS`: the process
pool's feeder and result threads, the backup's copy), which has no wall share of its own.
"""

from __future__ import annotations

import functools
import gc
import importlib
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bascule.exports.read import read_export
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.checks import Checker

GC = "collector"
THREADS = "threads"

# The rollover's stages, in the order a school goes through them (exports -> snapshot -> plan
# -> store), each with the functions that do it. Checks: the quality findings an import reports;
# the field checks made while the snapshot is built (names, codes, ids: tens of thousands of
# calls, too many to time one by one) are measured apart by `field_checks`.
ROLLOVER_PHASES: dict[str, list[str]] = {
    "read": ["bascule.operations.campaign:read_all"],
    "checks": ["bascule.snapshot.quality:assess_quality", "bascule.snapshot.quality:summarise",
               "bascule.operations.aaf_import:one_source_a_year"],
    "snapshot": ["bascule.snapshot.campaign:build_snapshot"],
    "staging": ["bascule.store.staging:stage_snapshot", "bascule.store.staging:latest_snapshot",
                "bascule.store.staging:staged_from_same_files"],
    # What an import keeps for the next one and takes from the previous (store/kept.py).
    "kept parts": ["bascule.store.kept:kept_for", "bascule.store.kept:KeptParts.built",
                   "bascule.store.kept:kept_parts", "bascule.store.kept:encode_kept"],
    "state load": ["bascule.store.state:load_state"],
    "plan compute": ["bascule.plan.compute:plan_and_basis", "bascule.plan.compute:prepare"],
    "plan save/load": ["bascule.store.plans:save_plan", "bascule.store.plans:keep_plan",
                       "bascule.store.plans:pending_plan",
                       "bascule.store.basis:save_basis"],
    "apply SQL": ["bascule.store.apply:apply_plan"],
    "change record": ["bascule.store.changes:capture", "bascule.store.changes:record_changes",
                      "bascule.store.changes:scope_of"],
    # The apply's bookkeeping around its SQL: the plan approved and checked still true of the
    # store before, marked applied with its basis after (small transactions, each committed).
    "approval": ["bascule.operations.campaign:_plan_to_apply", "bascule.store.plans:mark_applied",
                 "bascule.store.basis:mark_basis_applied"],
    # The process pool of an apply that creates accounts: its processes forked (by the first
    # task), its queues set up, and its release; the work it is given is the caller's phase.
    "workers": ["bascule.store.hashing:Workers.submit", "bascule.store.hashing:Workers.release",
                "bascule.store.hashing:Workers.stop",
                "concurrent.futures.process:ProcessPoolExecutor.__init__"],
    # Slips and hashing: written, then hashed, in this process, or started in a pool of
    # processes and waited for (the waits then fall in the phase that waits).
    "slips": ["bascule.reports.credentials:write_credentials",
              "bascule.reports.credentials:start_credentials"],
    # The backup's copy runs in a thread beside the apply: its start and the apply's wait for
    # it are here (the copy's own CPU, another thread's, falls in THREADS); so is the look for a
    # recent backup that covers the apply.
    "backup": ["bascule.operations.backups:start_backup_before_apply",
               "bascule.operations.backups:finish_backup",
               "bascule.operations.backups:covering_backup"],
    # A new folder's store is created by its first command: every migration, run once.
    "store setup": ["bascule.store.engine:open_store"],
    "passwords": ["bascule.operations.campaign:new_passwords"],
    "hashing": ["bascule.store.hashing:hash_passwords",
                "bascule.store.hashing:hash_in_background"],
    # No functions: timed by the profiler itself (the module's docstring).
    GC: [],
    THREADS: [],
}


@dataclass(slots=True)
class Spent:
    wall: float = 0.0
    cpu: float = 0.0
    calls: int = 0


@dataclass(slots=True)
class _Frame:
    wall: float
    cpu: float
    inner_wall: float = 0.0
    inner_cpu: float = 0.0


class PhaseProfiler:
    """Own wall and CPU time (seconds) of each phase while the block runs. CPU is the calling
    thread's: work a phase hands to other processes (the hashing pool) is not in it."""

    def __init__(self, phases: Mapping[str, Sequence[str]]):
        self.phases = phases
        self.spent = {name: Spent() for name in phases}
        self.missing: list[str] = []
        self._stacks = threading.local()  # a phase run in another thread is its own
        self._undo: list[tuple[object, str, object]] = []
        self._caller = threading.get_ident()
        self._elsewhere = 0.0  # CPU of phases run in other threads than the caller's
        self._started = (0.0, 0.0)  # the process's CPU and the caller thread's

    def __enter__(self) -> PhaseProfiler:
        for phase, targets in self.phases.items():
            for target in targets:
                self._wrap(phase, target)
        if GC in self.spent:
            gc.callbacks.append(self._collecting)
        self._caller = threading.get_ident()
        self._started = (time.process_time(), time.thread_time())
        return self

    def __exit__(self, *_exc: object) -> None:
        process, caller = time.process_time(), time.thread_time()
        if THREADS in self.spent:
            others = (process - self._started[0]) - (caller - self._started[1])
            self.spent[THREADS].cpu += max(0.0, others - self._elsewhere)
        if GC in self.spent:
            gc.callbacks.remove(self._collecting)
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def totals(self) -> dict[str, Spent]:
        return dict(self.spent)

    def _wrap(self, phase: str, target: str) -> None:
        module_name, _, path = target.partition(":")
        try:
            owner: Any = importlib.import_module(module_name)
            *classes, name = path.split(".")
            for class_name in classes:
                owner = getattr(owner, class_name)
            original = getattr(owner, name)
        except (ImportError, AttributeError):
            self.missing.append(target)
            return
        wrapped = self._timed(phase, original)
        # Wherever `from module import name` bound the same function, the wrapper replaces it.
        owners = [owner] if classes else [module for module_name_, module in
                                          list(sys.modules.items())
                                          if module_name_.startswith("bascule")
                                          and getattr(module, name, None) is original]
        for each in owners:
            self._undo.append((each, name, original))
            setattr(each, name, wrapped)

    def _timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        spent = self.spent[phase]

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._begin()
            try:
                return function(*args, **kwargs)
            finally:
                self._end(spent)

        return timed

    def _collecting(self, event: str, _info: dict[str, int]) -> None:
        """gc.callbacks: a collector's pass is a phase of its own, within whichever it falls."""
        if event == "start":
            self._begin()
        else:
            self._end(self.spent[GC])

    def _begin(self) -> None:
        stack: list[_Frame] = self._stacks.__dict__.setdefault("frames", [])
        stack.append(_Frame(time.perf_counter(), time.thread_time()))

    def _end(self, spent: Spent) -> None:
        stack: list[_Frame] = self._stacks.frames
        frame = stack.pop()
        wall = time.perf_counter() - frame.wall
        cpu = time.thread_time() - frame.cpu
        spent.wall += wall - frame.inner_wall
        spent.cpu += cpu - frame.inner_cpu
        spent.calls += 1
        if stack:
            stack[-1].inner_wall += wall
            stack[-1].inner_cpu += cpu
        elif threading.get_ident() != self._caller:
            self._elsewhere += cpu


def _unchecked(_checker: Checker, value: str | None, *_args: Any, **_kwargs: Any) -> str:
    return (value or "").strip()


_FIELD_CHECKS = ("name", "code", "identifier")  # Checker methods that only check and clean


def field_checks(campaigns: Sequence[Sequence[Path]], repeat: int = 3) -> Spent:
    """What the Checker's field checks (names cleaned, control characters, mojibake, empty
    codes and ids) cost in building these campaigns' snapshots: the snapshots built with them,
    less built with each field merely trimmed (best of `repeat` each, CPU and wall)."""
    exports = [[read_export(path) for path in paths] for paths in campaigns]
    context = ImportContext(school_uais=frozenset(e.header.uai or "" for files in exports
                                                  for e in files),
                            newest_staged_year={}, today=date(2025, 9, 20))

    def build() -> Spent:
        wall, cpu = time.perf_counter(), time.process_time()
        for files in exports:
            build_snapshot(list(files), context)
        return Spent(time.perf_counter() - wall, time.process_time() - cpu)

    checked = _best([build() for _ in range(repeat)])
    originals = {name: getattr(Checker, name) for name in _FIELD_CHECKS}
    try:
        for name in _FIELD_CHECKS:
            setattr(Checker, name, _unchecked)
        unchecked = _best([build() for _ in range(repeat)])
    finally:
        for name, original in originals.items():
            setattr(Checker, name, original)
    return Spent(max(0.0, checked.wall - unchecked.wall), max(0.0, checked.cpu - unchecked.cpu))


def _best(spent: list[Spent]) -> Spent:
    return Spent(min(s.wall for s in spent), min(s.cpu for s in spent))
