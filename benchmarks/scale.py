"""A night (`bascule run`) of a generated académie slice on SQLite in-process and on PostgreSQL,
in-process and with 1 and 2 `bascule worker` processes, and what it says of 600 collèges.

    .venv/bin/python benchmarks/scale.py [--colleges 100] [--size 200]

Each configuration runs in processes of its own (a throwaway PostgreSQL server for those that
need it), from the same drop folders, so that its peak memory is its own:
  sqlite        `bascule run --jobs 1` on the default store, one process;
  pg            the same on PostgreSQL, one process;
  pg-1-worker   `bascule run` on PostgreSQL enqueues the schools, one `bascule worker` runs them;
  pg-2-workers  the same with two workers (this machine's two cores).
The workers' lines need the task queue (`bascule worker`); without it they say so.
Printed: wall and CPU seconds (PostgreSQL's server included), the ratio to SQLite, per-collège
cost, peak resident memory of each process; then the extrapolation with the measured CPU a
collège (walls on a shared machine say more of the others' work than of bascule's) to 600
collèges on N machines of two workers each (assuming the store keeps up: one PostgreSQL
serves them all), and what hashing the first rollover's initial passwords adds.
Passwords are hashed with benchmarks/rollover.py's free hasher everywhere (its cost is
benchmarks/rollover.py's hashing line): this measures the rest of the night.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers.postgres import new_database, postgres_binaries, running_postgres

from bascule.synthetic.generate import DEFAULT_SIZE, GeneratedCollege, generate_campaigns
from rollover import home_for  # type: ignore[import-not-found]

NIGHT_AT = "2026-09-10T02:30"  # after the resumptions of the generated 2025 campaigns
ACADEMIE = 600  # collèges of a large académie
MACHINES = (1, 2, 4, 8)


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    wall: float
    cpu: float  # user + system of every process of the configuration
    peaks_mb: tuple[float, ...]  # peak resident memory of each process
    server_cpu: float = 0.0  # PostgreSQL's share of `cpu`


def bascule(*args: str) -> list[str]:
    """The CLI with the free hasher (this script's `--cli` mode)."""
    return [sys.executable, __file__, "--cli", *args]


def cli_mode(arguments: list[str]) -> None:
    from bascule.cli.app import app
    from rollover import use_hashers  # type: ignore[import-not-found]

    use_hashers(real=False)
    sys.argv = ["bascule", *arguments]
    app()


def waited(process: subprocess.Popen[bytes]) -> tuple[int, float, float]:
    """Exit code, CPU seconds and peak resident MB of a finished child (its own children's
    included: the hashing pool)."""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def in_process(name: str, home: Path, *options: str) -> Measured:
    start = time.perf_counter()
    night = subprocess.Popen(bascule("--home", str(home), "run", "--at", NIGHT_AT, "--jobs", "1",
                                     *options), stdout=subprocess.DEVNULL)
    code, cpu, peak = waited(night)
    wall = time.perf_counter() - start
    assert code == 0, f"{name}: bascule run exited {code}"
    return Measured(name, wall, cpu, (peak,))


def with_workers(name: str, home: Path, count: int) -> Measured | None:
    if subprocess.run(bascule("--home", str(home), "worker", "--help"),
                      capture_output=True).returncode != 0:
        return None
    # The store migrated first: processes opening a fresh PostgreSQL store at once race on
    # its migrations, and a worker that loses exits.
    subprocess.run(bascule("--home", str(home), "run", "--status"), capture_output=True,
                   check=True)
    workers = [subprocess.Popen(bascule("--home", str(home), "worker"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(count)]
    try:
        measured = in_process(name, home)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
    stopped = [waited_within(worker, 60) for worker in workers]
    return Measured(name, measured.wall, measured.cpu + sum(cpu for cpu, _ in stopped),
                    measured.peaks_mb + tuple(peak for _, peak in stopped))


def waited_within(process: subprocess.Popen[bytes], seconds: float) -> tuple[float, float]:
    """CPU seconds and peak MB of a process asked to stop, killed if it takes too long."""
    killer = threading.Timer(seconds, process.kill)
    killer.start()
    try:
        _code, cpu, peak = waited(process)
    finally:
        killer.cancel()
    return cpu, peak


def server_cpu(server: str) -> float:
    """CPU seconds of the PostgreSQL server so far: the postmaster and every backend it has
    reaped (a configuration's backends end with its processes' pools)."""
    import psycopg

    host, port = server.split("@", 1)[1].split(":")
    with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres") as link:
        backend = link.execute("SELECT pg_backend_pid()").fetchone()
        assert backend is not None
        postmaster = Path(f"/proc/{backend[0]}/stat").read_text().rsplit(")", 1)[1].split()[1]
    time.sleep(0.5)  # the backend just used ends and is reaped
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def with_server(measured: Measured | None, cpu: float) -> Measured | None:
    """The configuration's CPU with the PostgreSQL server's own."""
    if measured is None:
        return None
    return Measured(measured.name, measured.wall, measured.cpu + cpu, measured.peaks_mb, cpu)


@contextmanager
def postgres_home(root: Path, server: str, drops: Path) -> Iterator[Path]:
    """A copy of the drop folders' home whose store is a fresh PostgreSQL database."""
    home = root / f"pg-{len(list(root.iterdir()))}"
    shutil.copytree(drops, home)
    with (home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[store]\nurl = "{new_database(server)}"\n')
    yield home


def dropped(root: Path, colleges: list[GeneratedCollege]) -> Path:
    """A bascule folder of these collèges with their first exports in its drop folders."""
    settings = home_for(root, colleges)
    for college in colleges:
        shutil.copytree(college.folders[0], settings.depot_of(college.uai))
    return root


@dataclass(frozen=True, slots=True)
class Night:
    results: list[Measured | None]
    accounts: int  # created by the first night, all collèges together
    hashes_per_core_second: float  # argon2id with bascule's own parameters
    load: float  # the machine's load average during the runs


def measure(root: Path, colleges: int, size: int, backups: bool) -> Night:
    generated = generate_campaigns(root / "exports", colleges=colleges, seed=1, year=2025,
                                   size=size)
    drops = dropped(root / "drops", generated)
    if not backups:  # an académie's store is backed up by the server itself (README)
        with (drops / "bascule.toml").open("a", encoding="utf-8") as config:
            config.write("\n[backup]\nbefore_apply = false\n")
    sqlite_home = root / "sqlite"
    shutil.copytree(drops, sqlite_home)
    results: list[Measured | None] = [in_process("sqlite", sqlite_home)]
    bin_dir = postgres_binaries()
    if bin_dir is None:
        sys.exit("PostgreSQL is not installed (scripts/install-system-packages.sh)")
    homes = root / "homes"
    homes.mkdir()
    with running_postgres(bin_dir) as server:
        for count in (0, 1, 2):
            with postgres_home(homes, server, drops) as home:
                before = server_cpu(server)
                # --in-process: on PostgreSQL `bascule run` otherwise hands the night to workers
                measured = in_process("pg", home, "--in-process") if count == 0 else with_workers(
                    f"pg-{count}-worker{'s' * (count > 1)}", home, count)
                results.append(with_server(measured, server_cpu(server) - before))
    return Night(results=results, accounts=created_accounts(sqlite_home / "bascule.sqlite"),
                 hashes_per_core_second=hash_rate(), load=os.getloadavg()[0])


def created_accounts(store: Path) -> int:
    with sqlite3.connect(store) as connection:
        return int(connection.execute("SELECT count(*) FROM account").fetchone()[0])


def hash_rate(count: int = 60) -> float:
    """One core's argon2id rate with the parameters of bascule's initial passwords."""
    from bascule.store import hashing

    start = time.process_time()
    for n in range(count):
        hashing.hash_password(f"Motdepasse{n}!", hashing.PasswordOrigin.GENERATED)
    return count / (time.process_time() - start)


def report(night: Night, colleges: int, size: int, backups: bool) -> None:
    base = night.results[0]
    assert base is not None
    print(f"bascule scale benchmark: a night of {colleges} collèges of {size} élèves "
          f"(free hasher), backups before each apply {'on' if backups else 'off'}, "
          f"{os.cpu_count()} cores, load average {night.load:.1f}")
    for result in night.results:
        if result is None:
            print("  pg workers   not measured: no `bascule worker` in this version")
            continue
        peaks = ", ".join(f"{peak:.0f}" for peak in result.peaks_mb)
        server = f" of which server {result.server_cpu:.2f} s" if result.server_cpu else ""
        print(f"  {result.name:<13} {result.wall:7.2f} s wall ({result.wall / base.wall:.2f}x), "
              f"{result.cpu:6.2f} s CPU{server} ({result.cpu / base.cpu:.2f}x sqlite), "
              f"{result.cpu / colleges:.2f} s CPU a collège; peak MB per process: {peaks}")
    extrapolate(night, colleges)


def extrapolate(night: Night, colleges: int) -> None:
    """With the CPU a collège costs (the store's server included), spread over the processes
    at work: two workers a machine of two cores; the store on a server of its own."""
    base, *others = (r for r in night.results if r is not None)
    pg = others[-1]  # with the most workers measured
    sqlite_minutes = ACADEMIE * base.cpu / colleges / 60
    pg_minutes = ACADEMIE * pg.cpu / colleges / 60
    print(f"  {ACADEMIE} collèges, hashing aside: one SQLite process {sqlite_minutes:.0f} min; "
          f"PostgreSQL at the CPU a collège of {pg.name}, "
          + ", ".join(f"{machines} machine(s) of 2 workers {pg_minutes / (2 * machines):.0f} min"
                      for machines in MACHINES))
    hashes = ACADEMIE * night.accounts / colleges
    hours = hashes / night.hashes_per_core_second / 3600
    print(f"  a first rollover also hashes {night.accounts / colleges:.0f} initial passwords a "
          f"collège ({hashes:,.0f} for {ACADEMIE}) at {night.hashes_per_core_second:.1f}/s a "
          f"core: {hours:.1f} h on one core, "
          + ", ".join(f"{hours / (2 * machines) * 60:.0f} min on {machines} machine(s) of 2 "
                      f"cores" for machines in MACHINES))


def main() -> None:
    if sys.argv[1:2] == ["--cli"]:
        cli_mode(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=100)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="élèves per collège")
    parser.add_argument("--no-backups", dest="backups", action="store_false",
                        help="[backup] before_apply = false, as an académie with the "
                        "server's own continuous archiving sets it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        night = measure(Path(folder), options.colleges, options.size, options.backups)
    report(night, options.colleges, options.size, options.backups)


if __name__ == "__main__":
    main()
