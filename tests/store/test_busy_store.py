"""Two writers of one SQLite store (two schools of a folder, the night side by side, or two
operators): the second waits its turn, as long as an apply may hold the file; an error's text
never carries a statement's values (newcomer 10: « database is locked » after SQLite's 5 s,
its message with pupils' names in the night's report)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bascule.cli.failures import internal_error
from bascule.errors import is_store_busy
from bascule.store.engine import open_store
from bascule.store.schema import directory_version
from bascule.store.state import bump_version, directory_version_of

HELD_S = 6.0  # past SQLite's own 5 s busy wait


def test_a_writer_waits_for_another_writer_that_holds_the_store(tmp_path: Path) -> None:
    database = tmp_path / "bascule.sqlite"
    engine = open_store(f"sqlite:///{database}")
    holding, released = threading.Event(), threading.Event()

    def other_apply() -> None:  # another process's long apply: the write lock, held
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO directory_version (uai, version) VALUES ('0861001W', 1)")
        holding.set()
        time.sleep(HELD_S)
        other.execute("COMMIT")
        other.close()
        released.set()

    thread = threading.Thread(target=other_apply)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    with engine.begin() as connection:
        bump_version(connection, "0861000V")
    waited = time.monotonic() - started
    thread.join()
    assert released.is_set() and waited >= HELD_S - 1.5
    with engine.connect() as connection:
        assert directory_version_of(connection, "0861000V") == 1
        assert directory_version_of(connection, "0861001W") == 1


def test_an_error_of_the_store_never_shows_the_values_it_was_given(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'bascule.sqlite'}")
    row = {"uai": "0861000V", "version": 1}
    with engine.begin() as connection:
        connection.execute(insert(directory_version).values(**row))
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(insert(directory_version).values(uai="0861000V", version=4217))
    assert "4217" not in str(raised.value) and "0861000V" not in str(raised.value)


class OperationalError(Exception):  # SQLAlchemy's, as the error boundaries know it: by name
    pass


def test_a_store_busy_past_the_wait_is_said_in_french_as_no_bug() -> None:
    busy = OperationalError("(sqlite3.OperationalError) database is locked")
    assert is_store_busy(busy) and not is_store_busy(OperationalError("disk I/O error"))
    console = Console(record=True, width=200)
    internal_error(console, busy)
    said = console.export_text()
    assert "restée occupée plus de 10 minutes par un autre traitement" in said
    assert "Relancez la commande quand l'autre traitement sera fini." in said
    assert "Erreur interne" not in said and "locked" not in said
