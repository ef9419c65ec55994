"""A night of `bascule run` on a generated département, against the sum of its steps run by
hand, and an unchanged night against the raw parse of the same files, in one run.

    .venv/bin/python benchmarks/run.py [--schools 35] [--size 200]

Prints:
  by hand     for every collège, one after the other: import, plan, apply, spaces sync, the
              ENT, GAR and Éléa feeds, verify (what an operator would type);
  night       `bascule run` doing the same from the drop folders (one process: --jobs 1),
              with its checks (headers of the drop folder, thresholds, calendar, progress);
  raw         lxml iterparse of every file of the night's exports (the baseline);
  unchanged   the next night, nothing new dropped: only the checks.
Passwords are hashed with a free hasher (the same for both; benchmarks/rollover.py measures
the hashing, which the pool of `bascule run --jobs N` spreads over the cores: its workers are
spawned processes with bascule's real hasher, so they are not timed here).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bascule.operations import campaign, feeds, spaces, verification
from bascule.operations.night.run import NightOptions, run_night
from bascule.settings import Settings, load_settings
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from read import raw_parse  # type: ignore[import-not-found]
from rollover import home_for, timed, use_hashers  # type: ignore[import-not-found]

NOW = datetime(2026, 9, 10, 0, 30, tzinfo=UTC)  # after both resumptions, before deletions


def by_hand(settings: Settings, colleges: list[GeneratedCollege]) -> None:
    for college in colleges:
        uai = college.uai
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, uai, now=NOW)
        campaign.apply_saved_plan(settings, uai, now=NOW, actor="benchmark")
        spaces.sync_spaces(settings, uai, dry_run=False, now=NOW, actor="benchmark")
        out = settings.home / "flux" / uai
        feeds.feed_ent(settings, uai, out / "ent", now=NOW, force=False, by=None,
                       actor="benchmark")
        feeds.feed_gar(settings, [uai], out / "gar", now=NOW)
        feeds.feed_moodle(settings, uai, out / "moodle")
        verification.run_verification(settings, uai, now=NOW)


def dropped(root: Path, colleges: list[GeneratedCollege]) -> Settings:
    settings = home_for(root, colleges)
    for college in colleges:
        shutil.copytree(college.folders[0], settings.depot_of(college.uai))
    return load_settings(root)


def night(settings: Settings, jobs: int) -> float:
    start = time.perf_counter()
    report = run_night(settings, now=NOW, options=NightOptions(jobs=jobs))
    seconds = time.perf_counter() - start
    troubled = [s.uai for s in report.schools if s.outcome.value in ("held", "failed")]
    assert not troubled, f"held or failed: {troubled}"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=35)
    parser.add_argument("--size", type=int, default=200, help="élèves per collège")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        colleges = generate_campaigns(root / "exports", colleges=options.schools, seed=1,
                                      year=2025, size=options.size)
        files = [path for college in colleges for path in sorted(college.folders[0].iterdir())
                 if path.suffix != ".csv"]
        use_hashers(real=False)
        hand = timed(lambda: by_hand(home_for(root / "hand", colleges), colleges))
        settings = dropped(root / "night", colleges)
        first = night(settings, jobs=1)
        raw = min(timed(lambda: raw_parse(files)) for _ in range(3))
        unchanged = night(settings, jobs=1)
    print(f"bascule night benchmark: {options.schools} collèges of {options.size} élèves, "
          f"{len(files)} files")
    print(f"  by hand    import, plan, apply, spaces, feeds, verify   {hand:.2f} s")
    print(f"  night      bascule run --jobs 1   {first:.2f} s  {first / hand:.2f}x by hand")
    print(f"  raw        lxml iterparse of the exports   {raw:.2f} s")
    print(f"  unchanged  the next night, nothing new   {unchanged:.2f} s  "
          f"{unchanged / raw:.2f}x raw")


if __name__ == "__main__":
    main()
