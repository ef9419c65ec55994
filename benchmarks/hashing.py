"""A real first rollover of one generated collège (every profile, real argon2id), and what the
hashing costs in it, against the same rollover with a free hasher, in one run.

    .venv/bin/python benchmarks/hashing.py [--size N] [--runs 3]

Each rollover (import + plan + apply into a fresh folder) is timed by wall clock and by CPU
(this process and its workers), with the time its apply waited for the pool (hashes and
slips: what of them is on the critical path). Variants, all in this run:
  free            both hashers at argon2id's cheapest: the baseline, no hashing to speak of;
  owasp, first    every password at OWASP's cost, all hashed before the apply writes anything
                  (bascule before issue 22);
  owasp, overlap  OWASP's cost, hashed in the pool while the apply writes the rest;
  origin, first   generated passwords at their cost (store/hashing.py), hashed first;
  origin, overlap generated passwords at their cost, overlapped: what bascule does now.
Then the pool's hash rate at each cost, and the PDF slips' time for the same accounts.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type

from bascule.operations import campaign
from bascule.reports.slips import SlipHeader, division_slips, slips_by_group
from bascule.settings import Settings, init_home
from bascule.store import hashing
from bascule.synthetic.generate import DEFAULT_SIZE, GeneratedCollege, generate_campaigns

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)
OWASP = hashing.HASHER
GENERATED = hashing.GENERATED_HASHER
FREE = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
REAL_HASH_IN_BACKGROUND = campaign.hash_in_background
REAL_START_CREDENTIALS = campaign.start_credentials
WAITED = [0.0]  # seconds the apply's thread spent waiting for the pool
VARIANTS = {  # name: (chosen hasher, generated hasher, overlapped)
    "free": (FREE, FREE, True),
    "owasp, first": (OWASP, OWASP, False),
    "owasp, overlap": (OWASP, OWASP, True),
    "origin, first": (OWASP, GENERATED, False),
    "origin, overlap": (OWASP, GENERATED, True),
}


def _waited(wait: Callable[[], Any]) -> Callable[[], Any]:
    def timed_wait() -> Any:
        start = time.perf_counter()
        result = wait()
        WAITED[0] += time.perf_counter() - start
        return result

    return timed_wait


def _overlapped(*args: Any) -> Callable[[], dict[str, str]]:
    return _waited(REAL_HASH_IN_BACKGROUND(*args))


def _hashed_first(*args: Any) -> Callable[[], dict[str, str]]:
    """The apply as it was: every hash computed before anything else is done."""
    hashes = _overlapped(*args)()
    return lambda: hashes


def _slips(*args: Any) -> Callable[[], None]:
    return _waited(REAL_START_CREDENTIALS(*args))


@contextmanager
def variant(name: str) -> Iterator[None]:
    chosen, generated, overlapped = VARIANTS[name]
    hashing.HASHER, hashing.GENERATED_HASHER = chosen, generated
    campaign.hash_in_background = (  # type: ignore[assignment]
        _overlapped if overlapped else _hashed_first)
    campaign.start_credentials = _slips  # type: ignore[assignment]
    try:
        yield
    finally:
        hashing.HASHER, hashing.GENERATED_HASHER = OWASP, GENERATED
        campaign.hash_in_background = REAL_HASH_IN_BACKGROUND  # type: ignore[assignment]
        campaign.start_credentials = REAL_START_CREDENTIALS  # type: ignore[assignment]


def cpu() -> float:
    """CPU seconds of this process and of its ended children (the pool's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def rollover(root: Path, college: GeneratedCollege) -> tuple[float, float, float, float]:
    """(wall of the whole rollover, wall of its apply, CPU of the whole, time the apply waited
    for the pool) into a fresh folder."""
    settings, _ = init_home(root, college.uai, college.name)
    start, start_cpu, WAITED[0] = time.perf_counter(), cpu(), 0.0
    campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
    campaign.plan_campaign(settings, college.uai, now=NOW)
    applying = time.perf_counter()
    campaign.apply_saved_plan(settings, college.uai, now=NOW, actor="benchmark")
    end = time.perf_counter()
    return end - start, end - applying, cpu() - start_cpu, WAITED[0]


def pool_rate(hasher: PasswordHasher, count: int) -> float:
    hashing.GENERATED_HASHER = hasher
    passwords = {str(n): f"Tabeko-rimusa{n:02d}" for n in range(count)}
    start = time.perf_counter()
    hashing.hash_passwords(passwords, origin=hashing.PasswordOrigin.GENERATED)
    hashing.GENERATED_HASHER = GENERATED
    return count / (time.perf_counter() - start)


def slips_time(settings: Settings, college: GeneratedCollege) -> tuple[int, float]:
    """The slips of every account the first rollover created, written as an apply does."""
    plan = campaign.plan_campaign(settings, college.uai, now=NOW)
    created = [a for a in plan.actions if a.kind is campaign.ActionKind.CREATE]
    header = SlipHeader(school_name=college.name, uai=college.uai, school_year="2025-2026")
    passwords = {a.person: "Tabeko-rimusa47" for a in created}
    start = time.perf_counter()
    for slips in slips_by_group(created).values():
        division_slips(header, slips, passwords)
    return len(created), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="élèves to generate")
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (college,) = generate_campaigns(root / "exports", seed=1, year=2025, size=options.size)
        times: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in VARIANTS}
        for run in range(options.runs):
            for name in VARIANTS:
                with variant(name):
                    times[name].append(rollover(root / f"{run}-{name}", college))
        settings, _ = init_home(root / "slips", college.uai, college.name)
        hashing.HASHER = hashing.GENERATED_HASHER = FREE
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        accounts, slips = slips_time(settings, college)
        hashing.HASHER = OWASP
        rates = {"owasp": pool_rate(OWASP, 400), "generated": pool_rate(GENERATED, 2000)}
    report(times, accounts, slips, rates, college.uai)


def report(times: dict[str, list[tuple[float, float, float, float]]], accounts: int, slips: float,
           rates: dict[str, float], uai: str) -> None:
    median = {name: tuple(statistics.median(run[i] for run in runs) for i in range(4))
              for name, runs in times.items()}
    base = median["free"]
    cores = os.cpu_count() or 1
    print(f"bascule hashing benchmark: a real first rollover of one generated collège ({uai}, "
          f"{accounts} new accounts), {cores} cores, median of {len(times['free'])} run(s)")
    print(f"  {'variant':<16} {'rollover':>9} {'apply':>8} {'CPU':>8} {'waited':>8}  "
          "ratio to free  hashing share  spread")
    for name, (whole, apply, used, waited) in median.items():
        spread = max(r[0] for r in times[name]) - min(r[0] for r in times[name])
        print(f"  {name:<16} {whole:8.2f}s {apply:7.2f}s {used:7.2f}s {waited:7.2f}s  "
              f"{whole / base[0]:8.2f}x  {max(0.0, 1 - base[0] / whole):12.0%}  {spread:6.2f}s")
    first, overlap = median["owasp, first"][0], median["owasp, overlap"][0]
    origin_first, now = median["origin, first"][0], median["origin, overlap"][0]
    print(f"saved by the overlap: {first - overlap:.2f}s at OWASP's cost "
          f"({overlap / first:.2f}x the time), {origin_first - now:.2f}s at the generated cost "
          f"({now / origin_first:.2f}x); the apply waited for the pool "
          f"{median['owasp, first'][3]:.2f}s -> {median['owasp, overlap'][3]:.2f}s and "
          f"{median['origin, first'][3]:.2f}s -> {median['origin, overlap'][3]:.2f}s")
    print(f"hashing's share of the rollover's CPU: "
          f"{1 - base[2] / median['owasp, overlap'][2]:.0%} at OWASP's cost, "
          f"{1 - base[2] / median['origin, overlap'][2]:.0%} at the generated cost")
    print(f"saved by the cost by origin: {overlap - now:.2f}s ({now / overlap:.2f}x the time); "
          f"both: {now / first:.2f}x the time of bascule before (owasp, first), "
          f"{now / base[0]:.2f}x the free hasher's")
    print(f"pool rate ({cores} cores): OWASP {rates['owasp']:.0f} hashes/s, generated "
          f"{rates['generated']:.0f} hashes/s ({rates['generated'] / rates['owasp']:.1f}x); "
          f"{accounts} accounts: {accounts / rates['owasp']:.1f}s against "
          f"{accounts / rates['generated']:.1f}s")
    print(f"slips: {slips:.2f}s for {accounts} accounts in one process "
          f"({slips / base[1]:.0%} of the free apply), written by the pool beside the writes")


if __name__ == "__main__":
    main()
