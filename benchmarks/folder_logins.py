"""The folder-wide EduConnect work of a first rollover, as the folder grows: each school's plan
reads the other schools' EduConnect logins (`_logins_elsewhere`) and walks, for each new base,
the ordinals they hold (`LoginRegistry.first_free_for`); its apply looks its ids up again when
another school applied since (`refuse_ids_taken_elsewhere`).

    .venv/bin/python benchmarks/folder_logins.py [--colleges 10 35]

For each size, one first rollover of a generated département (free hasher, as
benchmarks/rollover.py's): its CPU against the raw parse of the same files measured in the same
run (the median of three), and each of those functions' own CPU, in seconds and as a share of
the rollover's. A share that grows with the folder is work that grows with its square.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import rollover as bench  # type: ignore[import-not-found]
from phases import PhaseProfiler  # type: ignore[import-not-found]

FOLDER_WIDE = {
    "logins read": "bascule.store.state:_logins_elsewhere",
    "logins walked": "bascule.domain.logins:LoginRegistry.first_free_for",
    "ids looked up": "bascule.store.login_collisions:refuse_ids_taken_elsewhere",
}


def one_size(root: Path, count: int) -> None:
    bench.use_hashers(real=False)
    colleges = bench.generate_campaigns(root / "exports", colleges=count, seed=1, year=2025)
    settings = bench.home_for(root / "home", colleges)
    raw = bench.Baseline(bench._xml(colleges))
    raw.measure()
    with PhaseProfiler({name: [where] for name, where in FOLDER_WIDE.items()}) as phases:
        run = bench.measured(lambda: bench.rollover(settings, bench.year_folders(colleges)))
    raw.measure()
    raw.measure()
    spent = phases.totals()
    parse = raw.median().cpu
    shares = ", ".join(f"{name} {spent[name].cpu:.2f} s ({spent[name].cpu / run.cpu:.0%})"
                       for name in FOLDER_WIDE)
    print(f"  {count:>3} collèges  rollover {run.cpu:.2f} s of CPU, {run.cpu / parse:.2f}x the "
          f"raw parse ({parse:.2f} s); {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, nargs="+", default=[10, 35])
    sizes = parser.parse_args().colleges
    print("Folder-wide EduConnect work of a first rollover (CPU, this process)")
    for count in sizes:
        with tempfile.TemporaryDirectory() as root:
            one_size(Path(root), count)


if __name__ == "__main__":
    main()
