"""The task queue's own schema in a PostgreSQL store: procrastinate's tables and functions
(procrastinate_jobs, procrastinate_workers, …), applied by the store's migration, once.

Procrastinate ships its schema as one SQL script (`SchemaManager.get_schema()`); it is applied
as is when its jobs table is absent, so that applying it again changes nothing. SQLite stores
never have it: there the night runs in-process."""

from __future__ import annotations

from sqlalchemy import Connection, text

QUEUE_TABLE = "procrastinate_jobs"


def has_queue_schema(connection: Connection) -> bool:
    return connection.execute(text("SELECT to_regclass(:name)"),
                              {"name": QUEUE_TABLE}).scalar() is not None


def apply_queue_schema(connection: Connection) -> None:
    """Apply procrastinate's schema unless it is there (PostgreSQL only)."""
    from procrastinate.schema import SchemaManager

    if has_queue_schema(connection):
        return
    # no_parameters: the script holds « % » signs that are not placeholders
    connection.exec_driver_sql(SchemaManager.get_schema(),
                               execution_options={"no_parameters": True})


def live_workers(connection: Connection, seconds: float) -> int:
    """How many workers said they were alive within `seconds` (procrastinate's heartbeats)."""
    if not has_queue_schema(connection):
        return 0
    found: int = connection.execute(text(
        "SELECT count(*) FROM procrastinate_workers "
        "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"),
        {"seconds": seconds}).scalar_one()
    return found
