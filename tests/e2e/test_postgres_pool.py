"""A PostgreSQL store keeps a pool of connections in each process (sized by [store]), and the
console serves concurrent requests from it while commands write: no request fails, the pool
is never exceeded, and the connections are kept instead of opened per query."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool, QueuePool

from bascule.settings import load_settings
from bascule.store.engine import open_store
from bascule.web.app import create_app
from tests.conftest import UAI, Cli, Files, apply_campaign
from tests.e2e.conftest import UseStore
from tests.servers import free_port
from tests.web.test_api import _token

POOL = "\npool_size = 2\npool_max_overflow = 1\npool_timeout_s = 20\n"


@pytest.fixture
def pg_school(cli: Cli, files: Files, postgres_url: str, use_store: UseStore) -> Cli:
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    use_store(cli.home, postgres_url)
    with (cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write(POOL)
    apply_campaign(cli, files)
    return cli


def test_the_pool_follows_the_settings_and_pings_its_connections(pg_school: Cli) -> None:
    settings = load_settings(pg_school.home)
    pool = open_store(settings.store_url).pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._pre_ping) == (2, 1, 20, True)
    assert open_store(settings.store_url).pool is pool  # one engine per process


@pytest.fixture
def console(pg_school: Cli) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(create_app(pg_school.home), host="127.0.0.1",
                                           port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=5)


PAGES = ("/api/v1/comptes", "/api/v1/plan", "/api/v1/delegations", "/api/v1/imports",
         "/api/v1/retenues", "/api/v1/revue")


def test_concurrent_requests_share_the_pool_while_commands_write(
        pg_school: Cli, console: str, postgres_url: str) -> None:
    headers = {"Authorization": "Bearer " + _token(pg_school, "outil", "idasilva", "lecture")}

    def fetch(path: str) -> int:
        return httpx2.get(console + path, headers=headers, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as requests:
        answered = requests.map(fetch, PAGES * 8)
        # Meanwhile, commands of the same process write through the same pool.
        for n in range(3):
            assert pg_school("password", "reset", "lmartin", "--by", "cdurand").exit_code == 0
            assert pg_school("plan", "--at", f"2026-09-1{n}T10:00").exit_code == 0
        statuses = list(answered)
    assert statuses == [200] * len(PAGES) * 8
    assert 1 <= _connections(postgres_url) <= 3  # kept open, within size + overflow


def _connections(url: str) -> int:
    """The store's connections open on the server, other than this count's own."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    return int(count or 0)


def test_a_connection_the_server_closed_is_replaced_before_use(pg_school: Cli,
                                                               postgres_url: str) -> None:
    """pre_ping: a restarted server or an idle timeout does not fail the next command."""
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    engine.dispose()
    accounts = pg_school("accounts", "--json")
    assert accounts.exit_code == 0, accounts.output
    assert '"lmartin"' in accounts.stdout
