"""The CLI's start-up: CPU time of `bascule version` and `bascule --help` against a bare Python,
in one run.

    .venv/bin/python benchmarks/cli_startup.py [--repeat R]

Each command runs R times as its own process (the way a person or a script starts it); its CPU
time (user + system, of the child process alone, from getrusage) is measured, the median kept,
and the spread (min–max) printed. The baseline is `python -c pass` from the same interpreter,
measured in the same run, so a busy machine shifts both sides alike; `import typer, rich` is
printed too: what any Typer + Rich command pays before doing anything of its own.
Target of issue 22: `bascule version` and `bascule --help` under 0.3 s of CPU.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

TARGET_SECONDS = 0.3
PYTHON = sys.executable
BASCULE = str(Path(PYTHON).with_name("bascule"))
COMMANDS = {
    "python -c pass (base)": [PYTHON, "-c", "pass"],
    "import typer, rich": [PYTHON, "-c", "import typer, rich.console"],
    "bascule version": [BASCULE, "version"],
    "bascule --help": [BASCULE, "--help"],
}


# As a person's shell starts it: bytecode read from and written to __pycache__, as pip's
# install compiled it. PYTHONDONTWRITEBYTECODE in the caller's environment would have every
# module changed since its last .pyc compiled again at each start (0.57 s instead of 0.32 s,
# measured on 1 December): not what anyone starting bascule pays.
_ENVIRONMENT = {**{name: value for name, value in os.environ.items()
                   if name != "PYTHONDONTWRITEBYTECODE"}, "BASCULE_HOME": os.devnull}


def cpu_seconds(command: list[str]) -> float:
    """CPU time (user + system) of one run of the command, as its own child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENVIRONMENT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    timings: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # a first start writes the bytecode it lacks
        cpu_seconds(command)
    for _ in range(repeat):  # interleaved: a burst of load hits every command alike
        for name, command in COMMANDS.items():
            timings[name].append(cpu_seconds(command))
    base = statistics.median(timings["python -c pass (base)"])
    print(f"CLI start-up, CPU time (user + system), median of {repeat} runs each")
    for name, runs in timings.items():
        median = statistics.median(runs)
        print(f"  {name:<24} {median:6.3f} s  ({min(runs):.3f}–{max(runs):.3f})  "
              f"{median / base:5.1f}x the base")
    for name in ("bascule version", "bascule --help"):
        median = statistics.median(timings[name])
        verdict = "atteint" if median <= TARGET_SECONDS else "NON ATTEINT"
        print(f"{name}: {median:.3f} s, objectif ≤ {TARGET_SECONDS} s : {verdict}")


if __name__ == "__main__":
    main()
