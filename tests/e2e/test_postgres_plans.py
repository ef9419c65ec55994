"""The hot queries of a département-sized PostgreSQL store are served by indexes.

A night (`bascule run`) of generated collèges, then the listings people open most (accounts,
journal, history, the console's lists), with every SELECT, UPDATE and DELETE they send
captured; each is then EXPLAINed with the planner told to avoid sequential scans: a plan that
still reads a whole big table has no index to use.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.pool import NullPool

from bascule.store.engine import open_store
from bascule.store.schema import (
    account,
    fact,
    feed_id,
    journal,
    login,
    person,
    person_source_id,
    staged_snapshot,
)
from bascule.synthetic.generate import generate_campaigns
from bascule.web.app import create_app
from tests.conftest import Cli
from tests.e2e.conftest import UseStore

NIGHT = "2026-09-10T02:30"  # after the resumptions of the generated 2025 campaigns

# Tables that grow with the people of a département (the others hold a row per school).
BIG_TABLES = ("person", "person_source_id", "account", "login", "fact", "journal",
              "applied_change", "applied_plan", "pending_password", "password_delivery",
              "posix_number", "feed_id", "saved_plan", "review_case",
              "delegation", "web_session", "mail_outbox", "person_hold", "api_token")

API_LISTS = ("/api/v1/comptes", "/api/v1/plan", "/api/v1/revue", "/api/v1/retenues",
             "/api/v1/delegations", "/api/v1/imports", "/api/v1/verification")


@contextmanager
def captured_statements() -> Iterator[dict[str, dict[str, Any]]]:
    """Every distinct single SELECT, UPDATE or DELETE sent meanwhile, with its parameters."""
    seen: dict[str, dict[str, Any]] = {}

    def keep(_conn: object, _cursor: object, statement: str, parameters: Any,
             _context: object, executemany: bool) -> None:
        if not executemany and re.match(r"\s*(SELECT|UPDATE|DELETE)\b", statement) \
                and "pg_" not in statement and "alembic_version" not in statement:
            seen.setdefault(statement, dict(parameters or {}))

    event.listen(Engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", keep)


def test_the_hot_queries_of_a_departement_use_indexes(
        cli: Cli, tmp_path: Path, postgres_url: str, use_store: UseStore) -> None:
    colleges = generate_campaigns(tmp_path / "exports", colleges=3, seed=3, year=2025, size=150)
    for college in colleges:
        assert cli("init", "--uai", college.uai, "--name", college.name).exit_code == 0
        shutil.copytree(college.folders[0], cli.home / "depot" / college.uai)
    use_store(cli.home, postgres_url)
    uai = colleges[0].uai
    open_store(postgres_url)  # the migrations' own statements are not the hot queries
    with captured_statements() as hot:
        night = cli("run", "--at", NIGHT, "--jobs", "1", "--in-process")
        assert night.exit_code == 0, night.output
        _listings(cli, uai)
    engine = create_engine(postgres_url, poolclass=NullPool)
    with engine.begin() as connection:
        _grow_to_a_departement(connection)
        connection.execute(text("ANALYZE"))
        filled = _filled_tables(connection)
        # Nested loops and index scans only: a plan that still reads a whole table has no
        # index to reach its rows (a cost-based choice is not judged at this size).
        for method in ("seqscan", "hashjoin", "mergejoin"):
            connection.execute(text(f"SET LOCAL enable_{method} = off"))
        scans = {statement: _whole_table_reads(connection.exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()[0]["Plan"], filled)
            for statement, parameters in hot.items()}
    engine.dispose()
    assert len(hot) > 60  # the night and the listings were really captured
    # The generated élèves with no INE looked for among the other schools' by birth date
    assert any("birth_date = ANY" in s and "person.uai !=" in s for s in hot)
    unindexed = {" ".join(s.split())[:300]: tables for s, tables in scans.items() if tables}
    assert unindexed == {}


def _filled_tables(connection: Connection) -> frozenset[str]:
    return frozenset(connection.execute(text(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > 0")).scalars())


COPIES = 12  # of each collège: 39 collèges in all, the size of a département


def _grow_to_a_departement(connection: Connection) -> None:
    """Each school's rows copied under COPIES made-up UAIs (`X` + the UAI's end + the copy's
    number): a school is then a few per cent of every table, as in a real département, and the
    planner chooses as it would there. Ids that must stay unique get the copy's number."""
    fake = "'X' || right({t}.uai, 3) || lpad(c::text, 4, '0')"
    renamed = {"uai": fake, "value": "{t}.value || '-' || c",
               "content_sha256": "left({t}.content_sha256, 56) || lpad(c::text, 8, '0')"}
    for table in (person, fact, journal, staged_snapshot):
        _copy(connection, table, renamed, "")
    source = "JOIN person o ON o.id = {t}.person_id JOIN person n ON n.key = o.key " \
             f"AND n.uai = {fake.format(t='o')}"
    for table in (account, login, person_source_id, feed_id):
        _copy(connection, table, renamed | {"person_id": "n.id"}, source)


def _copy(connection: Connection, table: Table, renamed: dict[str, str], join: str) -> None:
    columns = [column.name for column in table.columns if column.name != "id"]
    values = [renamed.get(name, "{t}." + name).format(t=table.name) for name in columns]
    connection.execute(text(
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {table.name} CROSS JOIN generate_series(1, {COPIES}) c "
        f"{join.format(t=table.name)}"))


def _listings(cli: Cli, uai: str) -> None:
    accounts = json.loads(cli("accounts", "--json", "--uai", uai).stdout)
    assert len(accounts) > 300
    for command in (("audit", "--json", "--since", "2026-09-01"), ("history", "--json")):
        listed = cli(*command, "--uai", uai)
        assert listed.exit_code == 0, listed.output
    principal = next(a["login"] for a in accounts if a["profile"] == "direction")
    created = cli("token", "create", "outil", "--pour", principal, "--portee", "lecture",
                  "--uai", uai)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    api = TestClient(create_app(cli.home, uai=uai))
    for path in API_LISTS:
        answer = api.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, (path, answer.text)


def _whole_table_reads(node: dict[str, Any], filled: frozenset[str],
                       limited: bool = False) -> list[str]:
    """The big tables a plan reads whole: sequentially (there is no index it could use), or
    through an index walked from end to end (no Index Cond) when the table holds rows, unless
    a LIMIT stops the walk early (the newest row of a school)."""
    table = node.get("Relation Name")
    limited = limited or node["Node Type"] == "Limit"
    whole = table in BIG_TABLES and (
        node["Node Type"] == "Seq Scan"
        or (node["Node Type"] in ("Index Scan", "Index Only Scan") and table in filled
            and "Index Cond" not in node and not limited))
    return [table] * whole + [found for child in node.get("Plans", ())
                              for found in _whole_table_reads(child, filled, limited)]
