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
# that would make ANALYZE itself cost more (measured: 0.38 s an apply with them).
_BULK_TABLES = ("person", "person_source_id", "account", "login", "fact", "pending_password")

BULK_ROWS = 200  # actions of one apply from which its tables are analysed: a school's creation


def refresh_statistics(engine: Engine, actions: int) -> None:
    """ANALYZE the bulk tables after an apply of `actions` actions, on PostgreSQL (SQLite plans
    by its indexes without statistics). ANALYZE samples at most 30,000 rows a table: its cost
    does not grow with the store. Best effort: the apply is committed by then, and a failed
    ANALYZE (a lost connection, a timeout) only leaves the statistics to autovacuum."""
    if engine.dialect.name != "postgresql" or actions < BULK_ROWS:
        return
    with suppress(SQLAlchemyError), engine.begin() as connection:
        connection.execute(text(f"ANALYZE {', '.join(_BULK_TABLES)}"))
