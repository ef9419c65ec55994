"""store/batch.py: rows written by `execute_many` and read by `fetch_raw` + `Decoder` are the
rows Core's own executemany and select write and read (types: instants in any zone, dates,
booleans, None, any text)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from bascule.store.batch import Decoder, among, execute_many, fetch_raw, slices
from bascule.store.engine import open_store
from bascule.store.schema import account, person, person_source_id

_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                max_size=12)
_INSTANTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                         timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)),
                                                    timezone(timedelta(hours=-5))]))
_PEOPLE = st.lists(st.fixed_dictionaries({
    "last_name": _TEXT, "first_name": _TEXT, "birth_name": st.none() | _TEXT,
    "birth_date": st.none() | st.dates(min_value=date(1900, 1, 1)),
    "email": st.none() | _TEXT, "created_at": _INSTANTS,
}), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("batch")
    return open_store(f"sqlite:///{folder / 'store.sqlite'}")


def _people(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [{"uai": "0860999U", "key": f"{prefix}{n}", "kind": "eleve", "profile": "eleve",
             "function": None, "exit_date": None, "updated_at": row["created_at"], **row}
            for n, row in enumerate(rows)]


def _read(connection: Connection, prefix: str) -> list[tuple[object, ...]]:
    columns = [c for c in person.c if c.name not in ("id", "key")]
    query = select(*columns).where(person.c.key.startswith(prefix)).order_by(person.c.key)
    return [tuple(row) for row in connection.execute(query)]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_PEOPLE)
def test_rows_written_by_execute_many_read_back_as_core_writes_them(
        engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(insert(person), _people(rows, "core-"))
        execute_many(connection, insert(person), _people(rows, "batch-"))
        assert _read(connection, "batch-") == _read(connection, "core-")
        columns = list(person.c)
        decoded = Decoder(connection, columns)
        raw = fetch_raw(connection, select(*columns).where(person.c.key.startswith("batch-"))
                        .order_by(person.c.key))
        core = connection.execute(select(*columns).where(person.c.key.startswith("batch-"))
                                  .order_by(person.c.key))
        assert [decoded(row) for row in raw] == [tuple(row) for row in core]
        transaction.rollback()


def test_an_update_by_bound_names_keeps_the_statement_s_own_values(engine: Engine) -> None:
    """The shapes the apply uses: a `bindparam` in the WHERE, fixed values in the SET (an
    instant, a boolean), and a delete."""
    now = datetime(2026, 9, 2, 10, tzinfo=timezone(timedelta(hours=2)))
    with engine.connect() as connection, connection.begin() as transaction:
        execute_many(connection, insert(person), _people(
            [{"last_name": "A", "first_name": "B", "birth_name": None, "birth_date": None,
              "email": None, "created_at": now}] * 3, "upd-"))
        ids = list(connection.execute(select(person.c.id).where(person.c.key.startswith("upd-"))
                                      .order_by(person.c.key)).scalars())
        execute_many(connection, insert(account), [
            {"person_id": pid, "status": "active", "status_since": now, "password_hash": "h",
             "must_change_password": True, "created_at": now} for pid in ids])
        execute_many(connection, update(account).where(account.c.person_id == bindparam("pid"))
                     .values(status="disabled", status_since=now + timedelta(days=1),
                             must_change_password=False), [{"pid": ids[0]}, {"pid": ids[1]}])
        execute_many(connection, delete(account).where(account.c.person_id == bindparam("pid")),
                     [{"pid": ids[2]}])
        execute_many(connection, delete(account), [])  # nothing to do: nothing done
        sources = [{"value": f"v{n}", "person_id": pid, "scheme": "ELEVE_ID"}  # no conversion
                   for n, pid in enumerate(ids)]
        execute_many(connection, insert(person_source_id), sources)
        assert sorted(tuple(row) for row in connection.execute(select(
            person_source_id.c.person_id, person_source_id.c.scheme, person_source_id.c.value)
            .where(person_source_id.c.person_id.in_(ids)))) == [
            (row["person_id"], row["scheme"], row["value"]) for row in sources]
        found = list(connection.execute(select(account.c.person_id, account.c.status,
                                               account.c.status_since,
                                               account.c.must_change_password)
                                        .where(account.c.person_id.in_(ids))
                                        .order_by(account.c.person_id)))
        later = (now + timedelta(days=1)).astimezone(UTC)
        assert [tuple(row) for row in found] == [(ids[0], "disabled", later, False),
                                                 (ids[1], "disabled", later, False)]
        transaction.rollback()


def test_a_lookup_among_lists_finds_what_in_finds(engine: Engine) -> None:
    """`among` and `slices`, the shapes of the apply's record: one list (numbers), two lists
    side by side of different lengths (text and numbers), more values than a slice holds, and
    none at all."""
    now = datetime(2026, 9, 2, 10, tzinfo=UTC)
    with engine.connect() as connection, connection.begin() as transaction:
        execute_many(connection, insert(person), _people(
            [{"last_name": "A", "first_name": "B", "birth_name": None, "birth_date": None,
              "email": None, "created_at": now}] * 1203, "among-"))
        ids = {key: pid for key, pid in connection.execute(
            select(person.c.key, person.c.id).where(person.c.key.startswith("among-")))}
        wanted_ids = sorted(ids.values())[::2]  # 602: more than a slice
        wanted_keys = [*sorted(ids)[:40], "among-nobody"]
        query = select(person.c.id).where(among(connection, person.c.id, "ids")
                                          | among(connection, person.c.key, "keys"))
        found = [pid for held_by, keys in slices(connection, wanted_ids, wanted_keys)
                 for (pid,) in fetch_raw(connection, query, {"ids": held_by, "keys": keys})]
        assert sorted(set(found)) == sorted(set(wanted_ids) | {ids[k] for k in wanted_keys[:40]})
        assert list(slices(connection, [], [])) == []
        transaction.rollback()
