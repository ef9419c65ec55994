"""Backups and undo on a real PostgreSQL store: pg_dump before each apply, pg_restore back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.cli.test_backups import check_a_backup_copied_after_the_apply_wrote_holds_none_of_it
from tests.cli.test_rollover import _plan
from tests.conftest import UAI, Cli, Files
from tests.e2e.conftest import UseStore
from tests.web.test_operators_web import add_operator

AT = "2026-09-02T08:00"


def test_a_postgresql_store_is_dumped_before_an_apply_restored_and_undone(
    cli: Cli, files: Files, postgres_url: str, use_store: UseStore,
) -> None:
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    use_store(cli.home, postgres_url)
    assert cli("import", *files()).exit_code == 0
    _plan(cli, "--at", AT)
    assert cli("apply", "--yes", "--at", AT).exit_code == 0
    (applied,) = json.loads(cli("history", "--json").stdout)
    assert (cli.home / "sauvegardes" / f"{applied['backup']}.dump").is_file()
    assert len(json.loads(cli("accounts", "--json").stdout)) == 13
    undo = json.loads(cli("undo", str(applied["id"]), "--json", "--at", AT).stdout)
    assert {action["kind"] for action in undo["actions"] if action["kind"] != "remove"} == \
        {"delete"}
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.begin() as connection:  # a console on another machine: its session is open
        connection.execute(text(
            "INSERT INTO web_session (uai, token_sha256, person_id, csrf, opened_at) "
            "SELECT uai, 'x', id, 'y', now() FROM person LIMIT 1"))
    remote = cli("backup", "restore", applied["backup"], "--yes")
    assert remote.exit_code == 1 and "session(s) de la console" in remote.stderr
    with engine.begin() as connection:
        connection.execute(text("UPDATE web_session SET ended_at = now()"))
    add_operator(cli, "equipe")  # the département's team is not put back with the store
    team = json.loads(cli("operator", "list", "--json").stdout)
    restored = cli("backup", "restore", applied["backup"], "--yes")
    assert restored.exit_code == 0, restored.output
    assert json.loads(cli("operator", "list", "--json").stdout) == team
    add_operator(cli, "equipe2")  # the ids' sequence goes on after the kept rows
    assert json.loads(cli("accounts", "--json").stdout) == []  # as before the apply
    assert json.loads(cli("history", "--json").stdout) == []
    journal = json.loads(cli("audit", "--json", "--action", "restauration").stdout)
    assert [entry["subject"] for entry in journal] == [applied["backup"]]


def test_a_postgresql_backup_dumped_after_the_apply_wrote_holds_none_of_it(
    cli: Cli, files: Files, postgres_url: str, use_store: UseStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    use_store(cli.home, postgres_url)
    assert cli("import", *files()).exit_code == 0
    _plan(cli, "--at", AT)
    backup = check_a_backup_copied_after_the_apply_wrote_holds_none_of_it(cli, "_pg_dump",
                                                                          monkeypatch, AT)
    assert (cli.home / "sauvegardes" / f"{backup}.dump").is_file()
