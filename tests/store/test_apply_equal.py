"""The apply's writes at the driver's speed leave the store exactly as SQLAlchemy Core's own
statements do (issue 22: store/batch.py, store/apply.py, store/people.py).

Generated collèges of one folder go through a first rollover, a re-import where some élèves
change division, the next school year (departures, arrivals, logins freed) and the undo of its
apply, twice: as bascule writes (statements compiled once, rows handed to the driver as tuples,
each column converted once, the people's row ids read back in one query) and through Core
alone (each row a dict of its columns, Core's executemany and conversions; row ids read with an
IN of every key). Every row of every table must be the same, in the same order of row ids.
`store_dump` and `through_core` serve the same comparison on PostgreSQL
(tests/e2e/test_postgres_apply_equal.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert, select

from bascule.operations import campaign
from bascule.operations.undo import plan_undo
from bascule.settings import Settings, init_home, load_settings
from bascule.store import apply as store_apply
from bascule.store import batch, changes, hashing, people
from bascule.store.engine import open_store
from bascule.store.history import applied_plans
from bascule.store.schema import metadata, person
from bascule.synthetic.changes import move_eleves
from bascule.synthetic.generate import generate_campaigns

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)
NEXT_YEAR = NOW.replace(year=2026)
Dump = dict[str, list[tuple[object, ...]]]


def store_dump(url: str) -> Dump:
    """Every row of every table, in the order of its primary key or, without one, of all its
    columns (the values as Core reads them)."""
    dumped: Dump = {}
    with open_store(url).connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.c)
            dumped[table.name] = [tuple(row) for row in connection.execute(
                select(table).order_by(*order))]
    return dumped


def _core_run(connection: Connection, statement: Any, keys: list[str],
              rows: Sequence[Any], *, by_position: bool) -> None:
    """Core's own executemany: a dict a row, Core's conversions."""
    parameters = [dict(zip(keys, row, strict=True)) if by_position else dict(row)
                  for row in rows]
    connection.execute(statement, parameters)


def _core_ids_by_key(connection: Connection, uai: str, keys: Any) -> dict[str, int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    return {key: pid for key, pid in connection.execute(select(person.c.key, person.c.id).where(
        (person.c.uai == uai) & person.c.key.in_(wanted)))}


@contextmanager
def through_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The apply's bulk statements and id lookups as Core alone makes them."""
    with monkeypatch.context() as patched:
        patched.setattr(batch, "_run", _core_run)
        for module in (people, store_apply, changes):
            patched.setattr(module, "ids_by_key", _core_ids_by_key)
        yield


class _Plain:
    """A hasher that hashes to the password itself, and passwords named after their holder:
    two runs draw the same (the record of an undone apply copies the hashes)."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"


def _passwords(profiles: Mapping[str, str], _policy: object) -> dict[str, str]:
    return {key: f"pw-{key}" for key in profiles}


@pytest.fixture
def same_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "HASHER", _Plain())
    monkeypatch.setattr(hashing, "GENERATED_HASHER", _Plain())
    monkeypatch.setattr(campaign, "new_passwords", _passwords)


def _apply(settings: Settings, uai: str, now: datetime) -> None:
    campaign.apply_saved_plan(settings, uai, now=now, actor="test", allow_mass_leave=True,
                              mass_leave_reason="test")


def rolled_through_the_years(root: Path, exports: Path, store_url: str | None = None) -> str:
    """Two generated collèges (their exports under `exports`, the same for every call):
    first rollover, some élèves moved, the next school year, and its undo. The store's URL."""
    colleges = generate_campaigns(exports, colleges=2, seed=11, year=2025, size=50)
    home = root / "home"
    for college in colleges:
        settings, _ = init_home(home, college.uai, college.name)
    if store_url is not None:
        with (home / "bascule.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[store]\nurl = "{store_url}"\n')
        settings = load_settings(home)
    for college in colleges:
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, college.uai, now=NOW)
        _apply(settings, college.uai, NOW)
    first = colleges[0]
    moved = root / "moved"
    if not moved.exists():
        move_eleves(first.folders[0], moved, 5, random.Random(3))
    later = NOW.replace(day=21)
    campaign.import_exports(settings, sorted(moved.iterdir()), now=later)
    campaign.plan_campaign(settings, first.uai, now=later)
    _apply(settings, first.uai, later)
    for college in colleges:
        campaign.import_exports(settings, sorted(college.folders[1].iterdir()), now=NEXT_YEAR)
        campaign.plan_campaign(settings, college.uai, now=NEXT_YEAR)
        _apply(settings, college.uai, NEXT_YEAR)
    undo_at = NEXT_YEAR.replace(day=21)
    newest = applied_plans(open_store(settings.store_url), first.uai)[0].id
    plan_undo(settings, first.uai, newest, now=undo_at)
    _apply(settings, first.uai, undo_at)
    return settings.store_url


@pytest.mark.usefixtures("same_passwords")
def test_the_store_after_every_kind_of_apply_is_the_one_core_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exports = tmp_path / "exports"
    batched = store_dump(rolled_through_the_years(tmp_path / "batched", exports))
    with through_core(monkeypatch):
        core = store_dump(rolled_through_the_years(tmp_path / "core", exports))
    assert batched.keys() == core.keys()
    for name in core:
        assert batched[name] == core[name], name
    # What the comparison covered: people created, moved, gone; logins freed; the undo.
    assert len(core["person"]) > 300 and len(core["applied_plan"]) == 6
    assert any(row for row in core["login"] if row[-1] is not None)  # a login freed


# Columns of every type the apply converts, each of one value repeated on every row (an apply's
# instant, None) or of values that differ: `insert_rows` converts each column once.
_INSTANTS = st.sampled_from([NOW, NEXT_YEAR, NOW.astimezone(timezone(timedelta(hours=2)))])


def _column(repeated: object, values: st.SearchStrategy[Any], n: int
            ) -> st.SearchStrategy[list[Any]]:
    return st.just([repeated] * n) | st.lists(values, min_size=n, max_size=n)


_ROWS = st.integers(min_value=1, max_value=30).flatmap(lambda n: st.tuples(
    _column("6A", st.sampled_from(["6A", "5B", "éà ç"]), n),
    _column(None, st.none() | st.dates(), n),
    _column(NOW, _INSTANTS, n),
    _column(None, st.none() | st.dates(), n)))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_store(f"sqlite:///{tmp_path_factory.mktemp('equal') / 'store.sqlite'}")


@settings(max_examples=60, deadline=None)
@given(columns=_ROWS)
def test_rows_inserted_as_tuples_are_those_core_inserts(
        engine: Engine, columns: tuple[list[Any], ...]) -> None:
    """`insert_rows` against Core's executemany of the same rows, on the person table: a
    name, a birth date, the created and updated instants, an exit date."""
    names = ("uai", "key", "kind", "profile", "last_name", "first_name", "birth_date",
             "created_at", "updated_at", "exit_date")

    def rows(prefix: str) -> list[tuple[object, ...]]:
        return [("0860999U", f"{prefix}{n}", "eleve", "eleve", name, "Zoé", born, at, at, gone)
                for n, (name, born, at, gone) in enumerate(zip(*columns, strict=True))]

    columns_read = [person.c[name] for name in names if name != "key"]
    with engine.connect() as connection, connection.begin() as transaction:
        batch.insert_rows(connection, person, names, rows("batch-"))
        connection.execute(insert(person), [dict(zip(names, row, strict=True))
                                            for row in rows("core-")])

        def read(prefix: str) -> list[tuple[object, ...]]:
            return [tuple(row) for row in connection.execute(
                select(*columns_read).where(person.c.key.startswith(prefix))
                .order_by(person.c.id))]

        assert read("batch-") == read("core-")
        transaction.rollback()


def test_ids_by_key_reads_what_it_is_asked_for(engine: Engine) -> None:
    """The people of the school asked for, whatever the share of the school they are (all of
    it, the one-query read; some of it, filtered; a few, looked up by slices)."""
    keys = [f"ids-{n}" for n in range(1203)]
    with engine.connect() as connection, connection.begin() as transaction:
        batch.insert_rows(connection, person, ("uai", "key", "kind", "profile", "last_name",
                                               "first_name", "created_at", "updated_at"),
                          [("0860777K", key, "eleve", "eleve", "A", "B", NOW, NOW)
                           for key in keys])
        every = _core_ids_by_key(connection, "0860777K", keys)
        for asked in (keys, keys[::2], keys[:7], [*keys[:3], "nobody"], []):
            expected: Mapping[str, int] = {key: every[key] for key in asked if key in every}
            assert people.ids_by_key(connection, "0860777K", iter(asked)) == expected
        transaction.rollback()
