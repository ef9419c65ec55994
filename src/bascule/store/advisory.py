"""PostgreSQL session advisory locks, each on a connection of its own.

The connection is in autocommit: no transaction stays open while the lock is held (an
idle-in-transaction session for the length of an apply would hold back vacuum, and a server's
`idle_in_transaction_session_timeout` would end it, and the lock with it, mid-apply). The
server releases the lock when the session ends, so a killed process never keeps one. A
connection whose unlock fails is discarded rather than given back to the pool still holding
the lock: closing its session is what releases it then.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

_POLL_SECONDS = 0.1


def lock_key(name: str) -> int:
    """A lock's number: the first 64 bits (signed, as PostgreSQL's bigint) of SHA-256(name)."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def advisory_lock(engine: Engine, key: int, *, deadline: float | None = None) -> Iterator[bool]:
    """Hold lock `key` while the block runs: True when taken; False when another session
    holds it past `deadline` (time.monotonic(); None: one try)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        locked = _try_until(connection, key, deadline)
        try:
            yield locked
        finally:
            if locked:
                _unlock(connection, key)


def _try_until(connection: Connection, key: int, deadline: float | None) -> bool:
    while not connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                 {"key": key}).scalar():
        if deadline is None or time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def _unlock(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    except Exception:  # the session goes with its connection, and the lock with the session
        connection.invalidate()
