"""PostgreSQL's planner statistics, refreshed after a bulk write.

The planner picks its joins from each table's statistics, which autovacuum refreshes a minute or
more after the writes, once a tenth of the table changed. A first rollover writes a school's
thousands of rows at once; the next school's queries, planned with the statistics of an almost
empty table, then walk a nested loop over every row (measured: 0.25 s instead of 6 ms for the
transfers' INE lookup of a 4-collège store, growing with the département). So the apply that
wrote many rows analyses the tables it wrote, itself, before the next school is planned.

Only the tables whose statistics are stale, though: never taken, or taken when the table was
less than half its size now. The planner scales what the statistics say to the table's size
at each query (its pages now, times the rows a page held at the ANALYZE), and the key columns'
spread is kept as a share of the rows: statistics of a table half its size choose the same
indexes and joins; those of an almost empty one do not. A département's first rollover thus
analyses a table when it has doubled (after the 1st, 2nd, 4th, 8th school...): a few times
in all, not once a school (measured: half of them were 0.16 s of the server's CPU for 10
collèges).
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

# What an apply writes in bulk and the next school's state, fingerprint and transfer lookups
# join. Not the journal nor the history's changes: read by their indexes alone, and wide rows
# that would make ANALYZE itself cost more (measured: 0.38 s an apply with them). Of each table,
# only the columns its queries filter, join or group on (store/, web/): the estimates that choose
# an index or a join; not the names, hashes, instants and details, whose statistics cost most.
_BULK_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("id", "uai", "key", "kind", "profile", "email", "exit_date"),
    "person_source_id": ("person_id", "scheme", "value"),
    "account": ("person_id", "status", "status_since"),
    "login": ("uai", "namespace", "login", "person_id", "freed_at"),
    "fact": ("uai", "school_year", "kind", "subject", "target"),
    "pending_password": ("person_id",),
}
# Its statistics target: 3,000 rows sampled a table instead of 30,000, ten most common values
# a column. The next school's plans need the tables' sizes and how their keys spread, not the
# finest histograms (measured on a 10-collège store: the INE lookup's plan the same, the ANALYZE
# 31 ms instead of 268 ms for every column at the default target). An ANALYZE of some columns
# leaves the table's count of changes as it was: autovacuum still analyses the whole table at
# the default target, minutes later, off the rollover's path.
_SAMPLE_TARGET = 10

BULK_ROWS = 200  # actions of one apply from which its tables are analysed: a school's creation
GROWTH = 2  # a table this many times the size its statistics describe is analysed again


def refresh_statistics(engine: Engine, actions: int) -> None:
    """ANALYZE the key columns of the bulk tables whose statistics are stale (`GROWTH`) after
    an apply of `actions` actions, on PostgreSQL (SQLite plans by its indexes without
    statistics). It samples at most 3,000 rows a table: its cost does not grow with the store.
    Best effort: the apply is committed by then, and a failed ANALYZE (a lost connection, a
    timeout) only leaves the statistics to autovacuum."""
    if engine.dialect.name != "postgresql" or actions < BULK_ROWS:
        return
    with suppress(SQLAlchemyError), engine.begin() as connection:
        stale = _stale(connection)
        if stale:
            connection.execute(text(f"SET LOCAL default_statistics_target = {_SAMPLE_TARGET}"))
            connection.execute(text("ANALYZE " + ", ".join(
                f"{table} ({', '.join(_BULK_COLUMNS[table])})" for table in stale)))


def _stale(connection: Connection) -> list[str]:
    """The bulk tables that hold rows and have `GROWTH` times the pages their last ANALYZE
    (or VACUUM) counted, none if never analysed, in the order of `_BULK_COLUMNS`; each found
    by its name on the search path, as the store's queries find it. One query."""
    found = connection.execute(text(
        "SELECT c.relname FROM unnest(CAST(:tables AS text[])) AS t(name) "
        "JOIN pg_class c ON c.oid = to_regclass(t.name) "
        "WHERE pg_relation_size(c.oid) > 0 AND pg_relation_size(c.oid) >= "
        ":growth * c.relpages::bigint * current_setting('block_size')::int"),
        {"tables": list(_BULK_COLUMNS), "growth": GROWTH}).scalars()
    stale = set(found)
    return [table for table in _BULK_COLUMNS if table in stale]
