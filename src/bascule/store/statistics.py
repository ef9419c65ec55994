"""PostgreSQL's planner statistics, refreshed after a bulk write.

The planner picks its joins from each table's statistics, which autovacuum refreshes a minute or
more after the writes, once a tenth of the table changed. A first rollover writes a school's
thousands of rows at once; the next school's queries, planned with the statistics of an almost
empty table, then walk a nested loop over every row (measured: 0.25 s instead of 6 ms for the
transfers' INE lookup of a 4-collège store, growing with the département). So the apply that
wrote many rows analyses the tables it wrote, itself, before the next school is planned.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import Engine, text
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
_ANALYZE = "ANALYZE " + ", ".join(f"{table} ({', '.join(columns)})"
                                  for table, columns in _BULK_COLUMNS.items())
# Its statistics target: 3,000 rows sampled a table instead of 30,000, ten most common values
# a column. The next school's plans need the tables' sizes and how their keys spread, not the
# finest histograms (measured on a 10-collège store: the INE lookup's plan the same, the ANALYZE
# 31 ms instead of 268 ms for every column at the default target). An ANALYZE of some columns
# leaves the table's count of changes as it was: autovacuum still analyses the whole table at
# the default target, minutes later, off the rollover's path.
_SAMPLE_TARGET = 10

BULK_ROWS = 200  # actions of one apply from which its tables are analysed: a school's creation


def refresh_statistics(engine: Engine, actions: int) -> None:
    """ANALYZE the bulk tables' key columns after an apply of `actions` actions, on PostgreSQL
    (SQLite plans by its indexes without statistics). It samples at most 3,000 rows a table:
    its cost does not grow with the store. Best effort: the apply is committed by then, and a failed
    ANALYZE (a lost connection, a timeout) only leaves the statistics to autovacuum."""
    if engine.dialect.name != "postgresql" or actions < BULK_ROWS:
        return
    with suppress(SQLAlchemyError), engine.begin() as connection:
        connection.execute(text(f"SET LOCAL default_statistics_target = {_SAMPLE_TARGET}"))
        connection.execute(text(_ANALYZE))
