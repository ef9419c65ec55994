"""The same store on a real PostgreSQL server: the rollover, the shortcuts and the school's
operations run unchanged (no SQLite-only SQL)."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.cli.test_rollover import _plan
from tests.conftest import UAI, Cli, Files
from tests.e2e.conftest import UseStore


def test_the_rollover_and_daily_operations_on_postgresql(
    cli: Cli, files: Files, postgres_url: str, use_store: UseStore,
) -> None:
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    use_store(cli.home, postgres_url)
    assert cli("import", *files()).exit_code == 0
    plan = _plan(cli, "--at", "2026-09-02T08:00")
    assert plan["summary"]["create"] == 13  # type: ignore[index]
    assert cli("apply", "--yes", "--at", "2026-09-02T08:00").exit_code == 0
    assert _plan(cli)["actions"] == []  # the in-sync shortcut
    assert "rien n'a changé" in cli("import", *files()).stdout  # the unchanged-files shortcut
    assert cli("password", "reset", "lmartin", "--by", "cdurand").exit_code == 0
    assert cli("access", "reopen", "--profile", "eleve", "--by", "idasilva",
               "--at", "2026-08-26T09:00").exit_code == 0
    assert "levée pour les élèves par idasilva le mercredi 26/08/2026 09:00" in cli(
        "access", "check", "lmartin", "--at", "2026-08-27T10:00").stdout
    assert len(json.loads(cli("accounts", "--json").stdout)) == 13
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.connect() as connection:  # the accounts are in PostgreSQL itself
        assert connection.execute(text("SELECT count(*) FROM account")).scalar() == 13
    actions = {entry["action"] for entry in json.loads(cli("audit", "--json").stdout)}
    assert {"import", "password_reset", "ent_reopen"} <= actions
