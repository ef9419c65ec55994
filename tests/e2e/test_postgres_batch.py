"""store/batch.py on PostgreSQL: an INSERT's rows go through COPY, the other statements through
psycopg's executemany; both read back as Core writes them (the same tests as on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text

from bascule.store.batch import among, fetch_raw
from bascule.store.engine import open_store
from bascule.store.schema import person
from tests.servers.postgres import new_database
from tests.store.test_batch import (  # noqa: F401 (collected here, on PostgreSQL)
    test_a_lookup_among_lists_finds_what_in_finds,
    test_an_update_by_bound_names_keeps_the_statement_s_own_values,
    test_rows_written_by_execute_many_read_back_as_core_writes_them,
)


@pytest.fixture(scope="module")
def engine(postgres_server: str) -> Engine:
    return open_store(new_database(postgres_server))


def test_a_statement_run_many_times_is_still_planned_with_its_values(engine: Engine) -> None:
    """psycopg prepares nothing on the server: a list lookup (`= ANY(:list)`) prepared and then
    planned once for any list would guess its length and walk a table not yet analysed."""
    with engine.connect() as connection:
        query = select(person.c.id).where(among(connection, person.c.key, "keys"))
        for _ in range(10):
            fetch_raw(connection, query, {"keys": ["a", "b"]})
        prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared.scalar_one() == 0
