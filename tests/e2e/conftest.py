"""A throwaway PostgreSQL server for the end-to-end tests, started and stopped by the tests.

`make test` installs Debian's postgresql as root. Without it the tests are skipped on a
developer's machine, and fail in CI, where a missing server must not pass unnoticed.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import free_port


def _as_postgres(*command: str) -> list[str]:
    """initdb and pg_ctl refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: make test installs it as root")
        pytest.skip("PostgreSQL is not installed (make test installs it as root)")
    bin_dir = Path(binaries[-1]).parent
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


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database for each test."""
    import psycopg

    name = f"bascule_{uuid.uuid4().hex[:12]}"
    host_port = postgres_server.split("@", 1)[1]
    host, port = host_port.split(":")
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
    return f"{postgres_server}/{name}"


UseStore = Callable[[Path, str], None]


@pytest.fixture
def use_store() -> UseStore:
    def point(home: Path, url: str) -> None:
        with (home / "bascule.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[store]\nurl = "{url}"\n')
    return point
