"""The PostgreSQL advisory locks (a school's changes, a night's school on a worker): held on a
connection of their own with no transaction left open, released at the block's end, and never
given back to the pool still held when the unlock fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from bascule.errors import UserError
from bascule.operations.locks import school_lock
from bascule.store.advisory import advisory_lock, lock_key
from bascule.store.engine import open_store

KEY = lock_key("bascule:test")


@pytest.fixture
def engine(postgres_url: str) -> Engine:
    return open_store(postgres_url)


@pytest.fixture
def observer(postgres_url: str) -> Engine:
    """Another session, as another process would see the locks."""
    return create_engine(postgres_url, poolclass=NullPool)


def _held_by_others(observer: Engine, key: int) -> bool:
    with observer.connect() as connection:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": key}).scalar()
        if taken:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        return not taken


def test_the_lock_leaves_no_transaction_open_and_is_released(engine: Engine,
                                                             observer: Engine) -> None:
    with advisory_lock(engine, KEY) as locked:
        assert locked and _held_by_others(observer, KEY)
        with observer.connect() as connection:
            states = connection.execute(text(
                "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE l.locktype = 'advisory'")).scalars().all()
        assert states == ["idle"]  # not « idle in transaction » for the length of the block
        with advisory_lock(engine, KEY) as again:  # another session of this process
            assert not again
    assert not _held_by_others(observer, KEY)


def test_a_failed_unlock_discards_the_connection_and_so_the_lock(
        engine: Engine, observer: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from bascule.store import advisory

    real_text = advisory.text
    monkeypatch.setattr(advisory, "text", lambda sql: real_text(
        sql.replace("pg_advisory_unlock", "pg_advisory_unlock_nonexistent")))
    with advisory_lock(engine, KEY) as locked:
        assert locked
    monkeypatch.undo()
    assert not _held_by_others(observer, KEY)  # its session ended with the connection
    with advisory_lock(engine, KEY) as locked:  # and the pool hands out a working one
        assert locked


def test_a_school_held_on_another_machine_is_refused_in_french(
        engine: Engine, tmp_path: Path) -> None:
    with (school_lock(tmp_path / "a", "0861000V", "apply", engine=engine),
          pytest.raises(UserError, match="depuis un autre poste"),
          school_lock(tmp_path / "b", "0861000V", "apply", engine=engine, wait_seconds=0.3)):
        pass
