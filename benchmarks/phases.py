"""A phase profiler for the benchmarks: where a run's time goes, by stage, wall and CPU.

    with PhaseProfiler(ROLLOVER_PHASES) as phases:
        work()
    phases.totals()  # {phase: Spent(wall, cpu)}, each phase's own time (nested phases apart)

Each phase is a list of functions named "module:attribute" (or "module:Class.method"); the
profiler wraps them for the duration of the block, wherever a module imported them by name, and
counts a phase's own time: a phase called inside another (the change record inside the apply's
SQL) is taken out of the outer one, so that the shares add up to the run. A function that no
longer exists (renamed by a later change) is reported by `missing`, not an error.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The rollover's stages, in the order a school goes through them (exports -> snapshot -> plan
# -> store), each with the functions that do it. Checks: the snapshot's field and record checks
# (the Checker) and the quality findings an import reports.
ROLLOVER_PHASES: dict[str, list[str]] = {
    "read": ["bascule.operations.campaign:read_all"],
    "checks": ["bascule.snapshot.checks:Checker.name", "bascule.snapshot.checks:Checker.code",
               "bascule.snapshot.checks:Checker.date",
               "bascule.snapshot.checks:Checker.identifier",
               "bascule.snapshot.checks:Checker.unique",
               "bascule.snapshot.quality:assess_quality", "bascule.snapshot.quality:summarise"],
    "snapshot": ["bascule.snapshot.campaign:build_snapshot"],
    "staging": ["bascule.store.staging:stage_snapshot", "bascule.store.staging:latest_snapshot",
                "bascule.store.staging:staged_from_same_files"],
    "state load": ["bascule.store.state:load_state"],
    "plan compute": ["bascule.plan.compute:compute_plan"],
    "plan save/load": ["bascule.store.plans:save_plan", "bascule.store.plans:pending_plan"],
    "apply SQL": ["bascule.store.apply:apply_plan"],
    "change record": ["bascule.store.changes:capture", "bascule.store.changes:record_changes",
                      "bascule.store.changes:scope_of"],
    "slips": ["bascule.reports.credentials:write_credentials"],
    "backup": ["bascule.operations.backups:backup_before_apply"],
    "hashing": ["bascule.store.hashing:hash_passwords"],
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

    def __enter__(self) -> PhaseProfiler:
        for phase, targets in self.phases.items():
            for target in targets:
                self._wrap(phase, target)
        return self

    def __exit__(self, *_exc: object) -> None:
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
        stacks = self._stacks

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack: list[_Frame] = stacks.__dict__.setdefault("frames", [])
            frame = _Frame(time.perf_counter(), time.thread_time())
            stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                stack.pop()
                wall = time.perf_counter() - frame.wall
                cpu = time.thread_time() - frame.cpu
                spent.wall += wall - frame.inner_wall
                spent.cpu += cpu - frame.inner_cpu
                spent.calls += 1
                if stack:
                    stack[-1].inner_wall += wall
                    stack[-1].inner_cpu += cpu

        return timed
