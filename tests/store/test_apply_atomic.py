"""An apply that fails midway writes nothing: its batched writes are one transaction (SQLite
here; tests/e2e/test_postgres_apply.py runs the same on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from bascule.settings import load_settings
from bascule.store import apply
from bascule.store.schema import metadata
from tests.conftest import ROLLOVER_AT, Cli, Files

# Where the apply breaks: amid its writes (people, accounts and logins written, the facts
# not yet), and at its very end (everything written but the record of its changes).
FAILURES = ["_Writer.add_facts", "record_changes"]


def store_rows(cli: Cli) -> dict[str, list[str]]:
    """Every row of every table of the store, but the saved plan (`apply --yes` records its
    approval before applying it)."""
    engine = create_engine(load_settings(cli.home).store_url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = {table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                for table in metadata.sorted_tables if table.name != "saved_plan"}
    engine.dispose()
    return rows


def check_an_apply_failing_midway_writes_nothing(cli: Cli, files: Files, failure: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("import", *files()).exit_code == 0
    assert cli("plan", "--at", ROLLOVER_AT).exit_code == 0
    before = store_rows(cli)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disque plein")

    owner, _, name = failure.rpartition(".")
    monkeypatch.setattr(getattr(apply, owner) if owner else apply, name, broken)
    failed = cli("apply", "--yes", "--at", ROLLOVER_AT)
    assert failed.exit_code == 2 and "(RuntimeError)" in failed.output
    assert store_rows(cli) == before
    monkeypatch.undo()  # the same plan still applies, whole
    done = cli("apply", "--yes", "--at", ROLLOVER_AT)
    assert done.exit_code == 0, done.output
    assert store_rows(cli)["account"]


@pytest.mark.parametrize("failure", FAILURES)
def test_an_apply_failing_midway_writes_nothing(home_cli: Cli, files: Files, failure: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    check_an_apply_failing_midway_writes_nothing(home_cli, files, failure, monkeypatch)
