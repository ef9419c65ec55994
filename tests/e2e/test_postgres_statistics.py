"""store/statistics.py on PostgreSQL: after a school's creation, the planner has statistics of
the columns its lookups filter and join on, from a sample (a misspelt column would fail the
ANALYZE, which is best effort and silent); a table is analysed again once it has doubled, not
after every large apply."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, text

from bascule.store.engine import open_store
from bascule.store.schema import account, login, person, person_source_id
from bascule.store.statistics import BULK_ROWS, refresh_statistics

NOW = datetime(2025, 9, 1, tzinfo=UTC)


def test_a_bulk_apply_leaves_statistics_of_the_looked_up_columns(postgres_url: str) -> None:
    engine = open_store(postgres_url)
    with engine.begin() as connection:
        for table in (person, person_source_id, account, login):  # none analysed meanwhile
            connection.execute(text(f"ALTER TABLE {table.name} SET (autovacuum_enabled = off)"))
        connection.execute(insert(person), [
            {"id": n, "uai": "0861000V", "key": f"e{n}", "kind": "eleve", "profile": "eleve",
             "last_name": "Nom", "first_name": "Prénom", "created_at": NOW, "updated_at": NOW}
            for n in range(1, 301)])
        connection.execute(insert(person_source_id), [
            {"person_id": n, "scheme": "ine", "value": f"INE{n}"} for n in range(1, 301)])
        connection.execute(insert(account), [
            {"person_id": n, "status": "active", "status_since": NOW, "password_hash": "",
             "must_change_password": True, "created_at": NOW} for n in range(1, 301)])
        connection.execute(insert(login), [
            {"uai": "0861000V", "namespace": "reseau", "login": f"e{n}", "person_id": n,
             "issued_at": NOW} for n in range(1, 301)])

    refresh_statistics(engine, BULK_ROWS - 1)  # a small apply: left to autovacuum
    assert _analysed(engine) == set()
    refresh_statistics(engine, BULK_ROWS)
    analysed = _analysed(engine)
    assert {("person", "uai"), ("person", "key"), ("person_source_id", "value"),
            ("account", "status"), ("login", "login"), ("login", "person_id")} <= analysed
    assert ("person", "last_name") not in analysed  # wide text no lookup filters on
    with engine.connect() as connection:  # a sample's statistics: a histogram of 10 buckets
        bounds = connection.execute(text(
            "SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats "
            "WHERE tablename = 'person' AND attname = 'key'")).scalar_one()
    assert bounds == 11


def test_a_table_is_analysed_again_once_it_has_doubled(postgres_url: str) -> None:
    engine = open_store(postgres_url)
    _add_people(engine, range(1, 301))
    refresh_statistics(engine, BULK_ROWS)
    assert _analyses(engine) == {"person": 1}
    _add_people(engine, range(301, 451))  # half as many again: statistics still fit
    refresh_statistics(engine, BULK_ROWS)
    assert _analyses(engine) == {"person": 1}
    _add_people(engine, range(451, 1201))  # four times the analysed table
    refresh_statistics(engine, BULK_ROWS)
    assert _analyses(engine) == {"person": 2}  # the others still empty: nothing to analyse


def _add_people(engine: Engine, numbers: range) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE person SET (autovacuum_enabled = off)"))
        connection.execute(insert(person), [
            {"id": n, "uai": "0861000V", "key": f"e{n}", "kind": "eleve", "profile": "eleve",
             "last_name": "Nom", "first_name": "Prénom", "created_at": NOW, "updated_at": NOW}
            for n in numbers])


def _analyses(engine: Engine) -> dict[str, int]:
    """The manual ANALYZEs of each table so far (autovacuum's are counted apart)."""
    with engine.connect() as connection:
        return {row.relname: row.analyze_count for row in connection.execute(text(
            "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE analyze_count > 0"))}


def _analysed(engine: object) -> set[tuple[str, str]]:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return {(row.tablename, row.attname) for row in connection.execute(text(
            "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public'"))}
