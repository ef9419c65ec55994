"""A throwaway PostgreSQL server for the tests and the benchmarks: Debian's initdb and pg_ctl in
a temporary folder, listening on the loopback only, trust authentication, fsync off."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import free_port


def postgres_binaries() -> Path | None:
    """Where initdb and pg_ctl are (the newest installed version), or None."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(binaries[-1]).parent if binaries else None


def _as_postgres(*command: str) -> list[str]:
    """initdb and pg_ctl refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[str]:
    """A server started for the block and stopped after it; yields its URL without database
    (postgresql+psycopg://postgres@127.0.0.1:PORT)."""
    folder = Path(tempfile.mkdtemp(prefix="bascule-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    subprocess.run(_as_postgres(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A",
                                "trust", "--no-sync", "-U", "postgres"),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l",
                                str(folder / "log"), "-o",
                                f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
                                "-c fsync=off", "start"),
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-w",
                                    "-m", "fast", "stop"), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str) -> str:
    """A fresh database on the server; its URL."""
    import psycopg

    name = f"bascule_{uuid.uuid4().hex[:12]}"
    host, port = server.split("@", 1)[1].split(":")
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres",
                                 autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return f"{server}/{name}"
