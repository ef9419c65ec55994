"""The record of an apply (store/changes.py): a created person's rows kept on one line, read
back row by row in the order one line a row gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bascule.store.changes import CREATED, Image, Written, changes_of, record_changes
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
    person already known (X). `by_person`: their rows noted as the apply notes them
    (`Written.created`), else row by row."""
    written = Written()
    for pid, key in ((101, "eleve:A"), (102, "eleve:B")):
        rows: dict[str, list[tuple[object, ...]]] = {
            "person": [(pid,)], "account": [(pid,)],
            "login": [("0861000V", "pnom", key[-1].lower())],
            "person_source_id": [(pid, "ine", f"ine-{key}")]}
        if by_person:
            written.created(key, rows)
        for table, keys in rows.items():
            for row_key in keys if not by_person else ():
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
def test_a_created_persons_rows_are_one_line_read_back_in_the_order_of_one_line_a_row(
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
    assert sorted(lines, key=str) == sorted([
        ("fact", "eleve:Y"), ("fact", None), ("fact", "eleve:X"), ("fact", None),
        (CREATED, "eleve:A"), (CREATED, "eleve:B")], key=str)
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
