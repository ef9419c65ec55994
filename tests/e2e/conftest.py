"""A throwaway PostgreSQL server for the end-to-end tests, started and stopped by the tests.

`make test` installs Debian's postgresql as root. Without it the tests are skipped on a
developer's machine, and fail in CI, where a missing server must not pass unnoticed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers.postgres import new_database, postgres_binaries, running_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    bin_dir = postgres_binaries()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: make test installs it as root")
        pytest.skip("PostgreSQL is not installed (make test installs it as root)")
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database for each test."""
    return new_database(postgres_server)


UseStore = Callable[[Path, str], None]


@pytest.fixture
def use_store() -> UseStore:
    def point(home: Path, url: str) -> None:
        with (home / "bascule.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[store]\nurl = "{url}"\n')
    return point
