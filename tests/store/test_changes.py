"""The record of an apply (store/changes.py): a created person's rows kept on one line, read
back row by row in the order one line a row gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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


def _written() -> Written:
    """Two people created (A, B), facts of theirs between others: a structure's and those of a
    person already known (X)."""
    written = Written()
    for pid, key in ((101, "eleve:A"), (102, "eleve:B")):
        written.add("person", (pid,), key)
        written.add("account", (pid,), key)
        written.add("login", ("0861000V", "pnom", key[-1].lower()), key)
        written.add("person_source_id", (pid, "ine", f"ine-{key}"), key)
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


def test_a_created_persons_rows_are_one_line_read_back_in_the_order_of_one_line_a_row(
        tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    empty: Image = {name: {} for name in TABLES}
    changed = _fact("eleve:Y", "D:6C")  # a fact of someone known, there before and after
    before = {**empty, "fact": {changed: (*changed[:5], "old")}}
    after = {**empty, "fact": {changed: (*changed[:5], "new")}}
    apply_id = _recorded(engine, _written(), before, after)
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
