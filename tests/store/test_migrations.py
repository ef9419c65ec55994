"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bascule.store.engine import open_store
from bascule.store.schema import metadata


def test_migrations_match_the_declared_schema(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


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
