"""store/batch.py on PostgreSQL: an INSERT's rows go through COPY, the other statements through
psycopg's executemany; both read back as Core writes them (the same tests as on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bascule.store.engine import open_store
from tests.servers.postgres import new_database
from tests.store.test_batch import (  # noqa: F401 (collected here, on PostgreSQL)
    test_an_update_by_bound_names_keeps_the_statement_s_own_values,
    test_rows_written_by_execute_many_read_back_as_core_writes_them,
)


@pytest.fixture(scope="module")
def engine(postgres_server: str) -> Engine:
    return open_store(new_database(postgres_server))
