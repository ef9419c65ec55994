"""Several processes opening a fresh PostgreSQL store at once (the workers of a night, a console,
started together on a new académie store): one migrates it, under a PostgreSQL advisory lock,
the others wait and find it migrated; none fails."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bascule.store.engine import _newest_migration

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
