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
