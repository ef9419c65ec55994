"""The record of an apply (store/changes.py): the created people's rows kept on one line, read
back row by row in the order one line a row gives; a record of one line a person (written
before) read the same way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bascule.store.changes import (
    CREATED,
    CREATED_PEOPLE,
    Image,
    Written,
    changes_of,
    record_changes,
    touched_people,
)
from bascule.store.engine import open_store
from bascule.store.history import Provenance, record_apply
from bascule.store.schema import applied_change

NOW = datetime(2025, 9, 1, 8, tzinfo=UTC)
TABLES = ("person", "account", "login", "person_source_id", "delegation", "pending_password",
          "fact", "breaker_mark")


def _fact(subject: str, target: str, kind: str = "member") -> tuple[object, ...]:
    return ("0861000V", 2025, kind, subject, target, "")


def _written(by_person: bool = True) -> Written:
    """Two people created (A, B), facts of theirs between others: a structure's and those of a
    person already known (X). `by_person`: their rows noted as the apply notes them (the
    people created, their rows by table), else row by row."""
    written = Written()
    for pid, key in ((101, "eleve:A"), (102, "eleve:B")):
        login = ("0861000V", "pnom", key[-1].lower())
        source_id = (pid, "ine", f"ine-{key}")
        if by_person:
            written.people[pid] = key
            written.add_logins([(*login, pid, NOW, None)])
            written.add_created("person_source_id", [source_id])
            continue
        for table, row_key in (("person", (pid,)), ("account", (pid,)), ("login", login),
                               ("person_source_id", source_id)):
            written.add(table, row_key, key)
    for fact, whose in ((_fact("D:6A", "", "structure"), None), (_fact("eleve:A", "D:6A"), "A"),
                        (_fact("eleve:X", "D:6A"), "X"), (_fact("eleve:B", "D:6A"), "B"),
                        (_fact("D:6B", "", "structure"), None)):
        written.add("fact", fact, None if whose is None else f"eleve:{whose}")
    return written


def _recorded(engine: Engine, written: Written, before: Image, after: Image) -> int:
    with engine.begin() as connection:
        apply_id = record_apply(connection, uai="0861000V", actor="test", now=NOW,
                                purpose="campaign", counts={}, provenance=Provenance())
        record_changes(connection, apply_id, before, after, written)
    return apply_id


@pytest.mark.parametrize("by_person", [True, False])
def test_the_created_peoples_rows_are_one_line_read_back_in_the_order_of_one_line_a_row(
        tmp_path: Path, by_person: bool) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    empty: Image = {name: {} for name in TABLES}
    changed = _fact("eleve:Y", "D:6C")  # a fact of someone known, there before and after
    before = {**empty, "fact": {changed: (*changed[:5], "old")}}
    after = {**empty, "fact": {changed: (*changed[:5], "new")}}
    apply_id = _recorded(engine, _written(by_person), before, after)
    with engine.connect() as connection:
        lines = [(row.table_name, row.person_key) for row in connection.execute(
            select(applied_change.c.table_name, applied_change.c.person_key))]
        changes = changes_of(connection, apply_id)
    one_a_row = [(table, key) for table in ("person", "account", "login", "person_source_id",
                                             "fact") for key in ("eleve:A", "eleve:B")]
    assert sorted(lines, key=str) == sorted([
        ("fact", "eleve:Y"), ("fact", None), ("fact", "eleve:X"), ("fact", None),
        *([(CREATED_PEOPLE, None)] if by_person else one_a_row)], key=str)
    assert [(change.table, change.person_key) for change in changes] == [
        ("person", "eleve:A"), ("person", "eleve:B"), ("account", "eleve:A"),
        ("account", "eleve:B"), ("login", "eleve:A"), ("login", "eleve:B"),
        ("person_source_id", "eleve:A"), ("person_source_id", "eleve:B"),
        ("fact", "eleve:Y"), ("fact", None), ("fact", "eleve:A"), ("fact", "eleve:X"),
        ("fact", "eleve:B"), ("fact", None)]
    created = [change for change in changes if change.person_key == "eleve:A"]
    assert all(change.before is None and change.after == {} for change in created)
    assert [change.row_key for change in created] == [
        (101,), (101,), ("0861000V", "pnom", "a"), (101, "ine", "ine-eleve:A"),
        _fact("eleve:A", "D:6A")]
    with engine.connect() as connection:
        assert touched_people(connection, [apply_id]) == {
            "eleve:A", "eleve:B", "eleve:X", "eleve:Y"}


def _one_line_a_person() -> dict[str, dict[str, object]]:
    """The `CREATED` lines an apply wrote, before `CREATED_PEOPLE`, for the people of
    `_written` (their facts' positions among the fact lines)."""
    return {key: {"person": [[pid]], "account": [[pid]],
                  "login": [["0861000V", "pnom", key[-1].lower()]],
                  "person_source_id": [[pid, "ine", f"ine-{key}"]],
                  "fact": [list(_fact(key, "D:6A"))], "at": {"fact": [position]}}
            for pid, key, position in ((101, "eleve:A", 1), (102, "eleve:B", 3))}


def test_a_record_of_one_line_a_created_person_is_read_as_it_was(tmp_path: Path) -> None:
    """Records written before `CREATED_PEOPLE` kept one `CREATED` line a person: the same
    changes, the same people touched."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    empty: Image = {name: {} for name in TABLES}
    apply_id = _recorded(engine, _written(), empty, empty)
    with engine.begin() as connection:
        new = changes_of(connection, apply_id)
        connection.execute(applied_change.delete().where(
            applied_change.c.table_name == CREATED_PEOPLE))
        connection.execute(applied_change.insert(), [
            {"apply_id": apply_id, "table_name": CREATED, "row_key": json.dumps(rows),
             "person_key": key, "before": None, "after": "{}"}
            for key, rows in _one_line_a_person().items()])
    with engine.connect() as connection:
        assert changes_of(connection, apply_id) == new
        assert touched_people(connection, [apply_id]) == {"eleve:A", "eleve:B", "eleve:X"}


@pytest.mark.parametrize("by_person", [True, False])
def test_a_login_row_a_created_person_took_over_is_a_change_not_part_of_their_line(
        tmp_path: Path, by_person: bool) -> None:
    """B's login was someone's (freed, quarantine over): its row was there before the apply,
    so it is recorded as changed (old holder back on undo), not as appeared with B's rows
    (whose it is: the images know only people who were there before)."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    empty: Image = {name: {} for name in TABLES}
    key = ("0861000V", "pnom", "b")
    before = {**empty, "login": {key: (*key, 7, "2020-09-01 08:00:00", "2021-09-01 08:00:00")}}
    after = {**empty, "login": {key: (*key, 102, "2025-09-01 08:00:00", None)}}
    apply_id = _recorded(engine, _written(by_person), before, after)
    with engine.connect() as connection:
        changes = changes_of(connection, apply_id)
    logins = [change for change in changes if change.table == "login"]
    assert [(change.row_key, change.person_key) for change in logins] == [
        (key, None), (("0861000V", "pnom", "a"), "eleve:A")]
    assert logins[0].before is not None and logins[0].before["person_id"] == 7
    assert [change.table for change in changes if change.person_key == "eleve:B"
            and change.before is None] == ["person", "account", "person_source_id", "fact"]


def test_the_record_of_an_apply_reads_its_actions_kinds_only_and_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An apply reads the facts of its subjects by the kinds its actions write
    (`Scope.fact_kinds`: the index finds them, the school's other facts are not read): its
    record is the one reading every kind gives, for élèves renamed (their logins too), moved,
    gone and come, in one apply."""
    import dataclasses
    import shutil
    import sqlite3

    from bascule.operations import campaign
    from bascule.settings import init_home, load_settings
    from bascule.store import apply as store_apply
    from bascule.store import changes
    from bascule.store.staging import latest_snapshot, stage_snapshot
    from bascule.synthetic.generate import generate_campaigns

    now = datetime(2025, 9, 20, 8, tzinfo=UTC)
    (college,) = generate_campaigns(tmp_path / "exports", seed=3, year=2025, size=40)
    settings, _ = init_home(tmp_path / "a", college.uai, college.name)
    campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=now)
    campaign.plan_campaign(settings, college.uai, now=now)
    campaign.apply_saved_plan(settings, college.uai, now=now, actor="test")
    with (tmp_path / "a" / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")  # a login renamed
    settings = load_settings(tmp_path / "a")
    engine = open_store(settings.store_url)
    staged = latest_snapshot(engine, college.uai)
    assert staged is not None
    snapshot = staged.snapshot
    eleves = list(snapshot.eleves)
    active = {eleve.eleve_id for eleve in snapshot.active_eleves}
    renamed, moved, gone = [n for n, eleve in enumerate(eleves) if eleve.eleve_id in active][:3]
    other = next(d.code for d in snapshot.divisions if d.code != eleves[moved].division)
    come = dataclasses.replace(eleves[gone], eleve_id="9999999", ine=None, elenoet=None,
                               last_name="Arrivant", first_name="Côme")
    eleves[renamed] = dataclasses.replace(eleves[renamed], last_name="Nouveaunom")
    eleves[moved] = dataclasses.replace(eleves[moved], division=other)
    eleves[gone] = come
    stage_snapshot(engine, dataclasses.replace(snapshot, eleves=tuple(eleves)), now, [])
    campaign.plan_campaign(settings, college.uai, now=now)
    shutil.copytree(tmp_path / "a", tmp_path / "b", ignore=shutil.ignore_patterns("*.sqlite*"))
    with sqlite3.connect(tmp_path / "a" / "bascule.sqlite") as a, \
            sqlite3.connect(tmp_path / "b" / "bascule.sqlite") as b:
        a.backup(b)
    campaign.apply_saved_plan(settings, college.uai, now=now, actor="test",
                              allow_mass_leave=True)
    every_kind = load_settings(tmp_path / "b")
    scope_of = changes.scope_of
    monkeypatch.setattr(store_apply, "scope_of", lambda *args, **kwargs: dataclasses.replace(
        scope_of(*args, **kwargs), fact_kinds=None))
    campaign.apply_saved_plan(every_kind, college.uai, now=now, actor="test",
                              allow_mass_leave=True)

    def record(store_url: str) -> list[tuple[object, ...]]:
        columns = (applied_change.c.table_name, applied_change.c.row_key,
                   applied_change.c.person_key, applied_change.c.before, applied_change.c.after)
        with open_store(store_url).connect() as connection:
            return [tuple(row) for row in connection.execute(
                select(*columns).order_by(applied_change.c.id))]

    kinds = {line[0] for line in record(settings.store_url)}
    assert {"fact", "login", "person"} <= kinds
    assert record(settings.store_url) == record(every_kind.store_url)
