"""The migrations build exactly the schema the code declares, and a new store, made at once
from the declared schema, is the store the migrations would have made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from bascule.store.engine import _alembic_config, open_store
from bascule.store.schema import metadata


def migrated(url: str) -> None:
    """A new store brought to the newest revision by every migration, one after the other."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def test_migrations_match_the_declared_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrated(url)
    with create_engine(url, poolclass=NullPool).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_new_store_is_the_store_the_migrations_make(tmp_path: Path) -> None:
    """Every table's columns (order, types, defaults, nullability), indexes, unique and
    foreign keys, the same as the migrations leave them; stamped with the newest revision, and
    no row in any table."""
    made, replayed = tmp_path / "made.sqlite", tmp_path / "replayed.sqlite"
    engine = open_store(f"sqlite:///{made}")
    migrated(f"sqlite:///{replayed}")
    assert _structure(made) == _structure(replayed)
    with engine.connect() as connection:
        assert [t.name for t in metadata.sorted_tables
                if connection.execute(select(t).limit(1)).first()] == []
    assert _versions(made) == _versions(replayed)


def _structure(path: Path) -> dict[str, object]:
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: (db.execute(f"PRAGMA table_xinfo('{table}')").fetchall(),
                        sorted(db.execute(f"PRAGMA foreign_key_list('{table}')").fetchall()),
                        sorted((index[1:], db.execute(f"PRAGMA index_xinfo('{index[1]}')")
                                .fetchall())
                               for index in db.execute(f"PRAGMA index_list('{table}')")))
                for table in tables}


def _versions(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_a_store_a_newer_bascule_migrated_is_refused_in_words(tmp_path: Path) -> None:
    """A store stamped with a revision this bascule does not have (opened again by an older
    version) is a refusal that says what to do, not an internal error."""
    import pytest
    from sqlalchemy import text

    from bascule.errors import UserError
    from bascule.store import engine as store_engine

    url = f"sqlite:///{tmp_path / 'bascule.sqlite'}"
    with open_store(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store_engine._ENGINES.pop(url).dispose()  # as a new process would open it
    with pytest.raises(UserError) as refused:
        open_store(url)
    assert "version plus récente de bascule" in refused.value.message
    assert "9999" in refused.value.message
