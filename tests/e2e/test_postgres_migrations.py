"""Several processes opening a fresh PostgreSQL store at once (the workers of a night, a console,
started together on a new académie store): one migrates it, under a PostgreSQL advisory lock,
the others wait and find it migrated; none fails. A new store made at once from the declared
schema is, to pg_dump, the store every migration one after the other makes."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bascule.store.engine import _newest_migration, open_store
from tests.servers.postgres import new_database, postgres_binaries
from tests.store.test_migrations import migrated

OPENERS = 4
# Each process waits for the same moment, then opens the store: they race for the migrations.
OPEN_AT = """
import sys, time
from bascule.store.engine import open_store
url, at = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, at - time.time()))
open_store(url)
"""


def test_processes_opening_a_fresh_store_at_once_migrate_it_once(postgres_url: str) -> None:
    at = time.time() + 3  # past every interpreter's start-up and imports
    openers = [subprocess.Popen([sys.executable, "-c", OPEN_AT, postgres_url, str(at)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(OPENERS)]
    failures = [error for opener in openers
                for _out, error in [opener.communicate(timeout=120)] if opener.returncode]
    assert failures == []
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [row[0] for row in versions] == [_newest_migration()]


def test_a_new_store_is_the_store_the_migrations_make(postgres_server: str) -> None:
    """Tables, columns, defaults, sequences, indexes, constraints, the task queue's types,
    functions and triggers: the same schema, and alembic_version's one row the same."""
    made, replayed = new_database(postgres_server), new_database(postgres_server)
    open_store(made)
    migrated(replayed)
    assert _schema(made) == _schema(replayed)
    assert _dump_of(made, "--data-only") == _dump_of(replayed, "--data-only")


def _schema(url: str) -> list[str]:
    return _dump_of(url, "--schema-only")


def _dump_of(url: str, part: str) -> list[str]:
    """pg_dump's text of one part of the database, without its session lines."""
    bin_dir = postgres_binaries()
    assert bin_dir is not None
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run([str(bin_dir / "pg_dump"), part, "--no-owner", dsn], check=True,
                          capture_output=True, text=True).stdout
    return [line for line in dump.splitlines()
            if not line.startswith(("\\restrict", "\\unrestrict", "-- Dumped"))]
