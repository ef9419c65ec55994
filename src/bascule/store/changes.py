"""What an apply changed in the store, read from the rows themselves inside its transaction, and
the restore of it (`bascule undo`).

Before the apply writes, the rows it may touch are read (the people of its actions, their
logins and the logins it hands out, source ids, delegations, pending passwords, the facts of its
school year it adds or withdraws, the deletion breaker's reference: work in proportion to the
plan, not to the school); after, the rows that existed before are read again (`narrowed`), and
the rows the apply inserted where none could exist before (those of the people it created, with
row ids new to the store, and facts of subjects that had none) are taken from what it wrote
(`Written`): a first rollover reads and compares nothing of the people it creates. An undo reads
its whole scope again. Each row that differs is kept as one line: its table, its identity, and
the fields that differ, old and new (the whole row for a row that disappeared; only its identity
for a row that appeared, whose content is in the store itself); the rows of the people the apply
created, all appeared, share one line (`CREATED_PEOPLE`), which `changes_of` reads back row by
row (a record written before kept them on one line a person, `CREATED`: read the same way).

A restore puts back each field the apply changed, only where the field still holds what the
apply wrote: a password reset or a delegation granted since is left alone. What the apply
created is removed, except the person row and its logins, freed into quarantine (the login of
someone created by mistake is not given to another at once, and is theirs again if they come
back). A sealed password is never copied into the record: one that still waited for the
targets when the apply deleted its account does not come back (a reset gives a new one); the
hash of an account the apply deleted is copied (its undo gets it back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    insert,
    literal,
    select,
    tuple_,
    update,
)

from bascule.plan.model import ActionKind, Plan, PlanPurpose
from bascule.store.batch import Decoder, among, fetch_raw, insert_rows, slices
from bascule.store.people import ids_by_key
from bascule.store.schema import (
    account,
    applied_change,
    applied_plan,
    breaker_mark,
    delegation,
    fact,
    login,
    pending_password,
    person,
    person_source_id,
)

Row = dict[str, object]
Image = dict[str, dict[tuple[object, ...], tuple[object, ...]]]  # table -> identity -> row

# Each tracked table, with the columns naming a row.
_KEYS: dict[str, tuple[str, ...]] = {
    "person": ("id",), "account": ("person_id",), "login": ("uai", "namespace", "login"),
    "person_source_id": ("person_id", "scheme", "value"), "delegation": ("id",),
    "pending_password": ("person_id",),
    "fact": ("uai", "school_year", "kind", "subject", "target", "detail"),
    "breaker_mark": ("uai", "school_year", "profile"),
}
_TABLES: dict[str, Table] = {
    "person": person, "account": account, "login": login,
    "person_source_id": person_source_id, "delegation": delegation,
    "pending_password": pending_password, "fact": fact, "breaker_mark": breaker_mark,
}


def tracked_tables() -> list[tuple[Table, tuple[str, ...]]]:
    """The tables an apply records, each with the columns naming a row."""
    return [(_TABLES[name], key) for name, key in _KEYS.items()]


_NEVER_KEPT = {"sealed"}  # a sealed password stays in pending_password only
_COLUMNS = {name: [column for column in table.c if column.name not in _NEVER_KEPT]
            for name, table in _TABLES.items()}
_KEY_POSITIONS = {name: tuple([column.name for column in _COLUMNS[name]].index(key)
                              for key in _KEYS[name]) for name in _TABLES}


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """The rows an apply may touch: its people (their row ids), the logins it hands out, the
    subjects of the facts it adds or withdraws (an undo's are those of the apply it undoes);
    none listed of logins or facts while the school holds none of them (of the school year):
    none of them can be there yet."""

    uai: str
    school_year: int
    person_ids: frozenset[int]
    logins: frozenset[str]
    fact_subjects: frozenset[str] = frozenset()
    # The kinds of the facts of `fact_subjects` the plan's actions write (an apply writes its
    # actions' fact rows and no other): by the index (uai, year, kind, subject), the rows are
    # found without reading all the school's. None: every kind (an undo: a record's rows).
    fact_kinds: frozenset[str] | None = None


def scope_of(connection: Connection, plan: Plan, ids: Mapping[str, int] | None = None
             ) -> Scope:
    """Read before and again after the writes: people created meanwhile have ids then.
    `ids`: the row ids of the plan's people (`ids_by_key` of `account_keys`), when already
    read."""
    if ids is None:
        ids = ids_by_key(connection, plan.uai, account_keys(plan))
    person_ids = set(ids.values())
    person_ids |= _transferred(connection, {(a.from_school, a.from_key) for a in plan.actions
                                            if a.from_school and a.from_key})
    # A school's first rollover hands out thousands of logins and adds thousands of facts where
    # it has none yet: one query says so, instead of listing them to look each up.
    logins = {value for action in plan.actions
              for _kind, value in (*action.logins, *action.previous_logins)
              } if _any(connection, login, login.c.uai == plan.uai) else set()
    subjects = {action.fact.subject for action in plan.actions if action.fact is not None
                } if _any(connection, fact, _in_year(plan.uai, plan.school_year.start)) else set()
    undo = plan.purpose is PlanPurpose.UNDO  # its writes are a record's, not its actions'
    return Scope(uai=plan.uai, school_year=plan.school_year.start,
                 person_ids=frozenset(person_ids),
                 logins=frozenset(logins), fact_subjects=frozenset(subjects),
                 fact_kinds=None if undo else frozenset(
                     action.fact.kind for action in plan.actions if action.fact is not None))


def _in_year(uai: str, school_year: int) -> ColumnElement[bool]:
    return (fact.c.uai == uai) & (fact.c.school_year == school_year)


def account_keys(plan: Plan) -> set[str]:
    """The people whose rows the plan's account actions write (all but the facts': the kinds
    compared by identity, not through a property an action)."""
    add, remove = ActionKind.ADD, ActionKind.REMOVE
    return {action.person for action in plan.actions
            if action.kind is not add and action.kind is not remove}


def _transferred(connection: Connection, origins: set[tuple[str, str]]) -> set[int]:
    """The rows of élèves arriving from other schools of the folder: one query for all."""
    if not origins:
        return set()
    rows = connection.execute(select(person.c.id, person.c.uai, person.c.key).where(
        person.c.uai.in_(sorted({school for school, _ in origins}))
        & person.c.key.in_(sorted({key for _, key in origins}))))
    return {row.id for row in rows if (row.uai, row.key) in origins}


def capture(connection: Connection, scope: Scope) -> Image:
    """The rows of the scope, as they are now: the driver's raw tuples (thousands of rows, read
    twice, compared, and only those that differ decoded)."""
    image: Image = {name: {} for name in _TABLES}
    ids = sorted(scope.person_ids)
    for name in ("person", "account", "person_source_id", "delegation", "pending_password"):
        column = _TABLES[name].c["id" if name == "person" else "person_id"]
        query = select(*_COLUMNS[name]).where(among(connection, column, "ids"))
        for (some,) in slices(connection, ids):
            _add(image, name, fetch_raw(connection, query, {"ids": some}))
    logins = sorted(scope.logins)  # none when the school had none (`scope_of`)
    query = select(*_COLUMNS["login"]).where(
        among(connection, login.c.person_id, "ids")
        | ((login.c.uai == scope.uai) & among(connection, login.c.login, "values")))
    for held_by, values in slices(connection, ids, logins):
        _add(image, "login", fetch_raw(connection, query, {"ids": held_by, "values": values}))
    of_subjects = _in_year(scope.uai, scope.school_year) & among(connection, fact.c.subject,
                                                                "subjects")
    kinds: dict[str, object] = {}
    if scope.fact_kinds is not None:
        of_subjects &= among(connection, fact.c.kind, "kinds")
        kinds["kinds"] = sorted(scope.fact_kinds)
    query = select(*_COLUMNS["fact"]).where(of_subjects)
    for (subjects,) in slices(connection, sorted(scope.fact_subjects)):  # idem
        _add(image, "fact", fetch_raw(connection, query, {"subjects": subjects, **kinds}))
    _add(image, "breaker_mark", fetch_raw(connection, select(*_COLUMNS["breaker_mark"]).where(
        breaker_mark.c.uai == scope.uai)))
    return image


def _any(connection: Connection, table: Table, where: ColumnElement[bool]) -> bool:
    """Whether a row of the table holds `where` (an index answers)."""
    return connection.execute(select(literal(1)).select_from(table).where(where).limit(1)
                              ).first() is not None


def narrowed(scope: Scope, before: Image) -> Scope:
    """What to read again after the writes: the scope's people that existed before (its
    `person_ids`, read before the writes), the logins and the subjects of facts found then.
    A row outside it that the apply inserted is one of `Written`'s."""
    logins = {key[2] for key in before.get("login", {}) if key[0] == scope.uai}
    subjects = {key[3] for key in before.get("fact", {})}
    return replace(scope, logins=frozenset(scope.logins & logins),
                   fact_subjects=frozenset(scope.fact_subjects & subjects))


_CREATED_TABLES = ("login", "person_source_id", "pending_password")  # `Written.created`'s


@dataclass(slots=True)
class Written:
    """The rows an apply inserted where no row could be before it: those of the people it
    created (row ids new to the store) and the facts it added. Each row by its identity (the
    values of `_KEYS`, as the driver reads them back: numbers and text)."""

    # By table, each row and whose it is (a person's key, or None): one line each.
    rows: dict[str, dict[tuple[object, ...], str | None]] = field(
        default_factory=lambda: {name: {} for name in _TABLES})
    # The people the apply created: row id -> key, in the order created. Their person and
    # account rows go without saying; their other rows are in `created`, and their facts are
    # those of `rows` of which they are the subject: all on one line (`CREATED_PEOPLE`).
    people: dict[int, str] = field(default_factory=dict)
    # Their rows of login, person_source_id and pending_password, in the order of `people`
    # (each person's in the order written), and the row id of each login's holder.
    created: dict[str, list[tuple[object, ...]]] = field(
        default_factory=lambda: {name: [] for name in _CREATED_TABLES})
    holders: list[object] = field(default_factory=list)

    def add(self, table: str, key: tuple[object, ...], person_key: str | None) -> None:
        self.rows[table][key] = person_key

    def add_logins(self, rows: Iterable[tuple[object, ...]]) -> None:
        """Login rows written (`_KEYS`' columns, then the holder's row id): those of the
        people created."""
        people = self.people
        mine = [row for row in rows if row[3] in people]
        self.created["login"] += [row[:3] for row in mine]
        self.holders += [row[3] for row in mine]

    def add_created(self, table: str, rows: Iterable[tuple[object, ...]]) -> None:
        """Rows of a table keyed by the person's row id first (source ids, sealed passwords):
        those of the people created."""
        people = self.people
        self.created[table] += [row for row in rows if row[0] in people]



def _add(image: Image, name: str, rows: Iterable[tuple[object, ...]]) -> None:
    positions, found = _KEY_POSITIONS[name], image[name]
    for values in rows:
        found[tuple(values[i] for i in positions)] = values


def record_changes(connection: Connection, apply_id: int, before: Image, after: Image,
                   written: Written | None = None) -> None:
    """Keep what differs between the two images, and the rows `written` (those neither image
    holds: appeared; the created people's on one line, `CREATED_PEOPLE`)."""
    people = _person_keys(before, after)
    lines: list[_Line] = []
    created = _Created() if written is None else _Created.of(written, before, after)
    for name in _TABLES:
        table_lines: list[_Line] = [
            (apply_id, name, _dump_key(key), _whose(name, old or new or {}, people),
             *_difference(old, new))
            for key, old, new in _differing(connection, name, before[name], after[name])]
        if written is not None:
            table_lines += _appeared(apply_id, name, written, before, after, created,
                                     first_position=len(table_lines))
        lines += table_lines
    if created.document:
        document = {name: rows for name, rows in created.document.items() if rows}
        lines.append((apply_id, CREATED_PEOPLE, _dump_key(document), None, None, APPEARED))
    insert_rows(connection, applied_change, _LINE_COLUMNS, lines)


# A line of the record: the values of these columns of `applied_change`.
_LINE_COLUMNS = ("apply_id", "table_name", "row_key", "person_key", "before", "after")
_Line = tuple[int, str, str, str | None, str | None, str | None]


# The rows the created people got from the apply (person, account, logins, source ids, sealed
# password, facts of which they are the subject), all appeared, are kept on one line an apply,
# `CREATED_PEOPLE`, instead of one line a row: a first rollover of 10 collèges writes one line
# a collège in place of 16,000 (one line a person, `CREATED`, as records did before) or of some
# 120,000. Its `row_key` is JSON, table by table, as the apply wrote them:
#   {"people": [[row id, person key], …],  (in the order created: their person and account rows)
#    "login": [identity, …], "holders": [row id of each login's person, …],
#    "person_source_id": [identity, …], "pending_password": [identity, …],
#    "fact": [identity, …], "at": [the position of each fact among the fact lines, …]}
# (a table without rows left out; a row an image holds is not there: a login row taken over is
# a change). `person_key` is null. `changes_of` gives back one Change a row, in the order one
# line a row had: a table's rows after its own lines (but facts, at their positions), person
# after person. A `CREATED` line holds one person's {table: [identity, …], "at": {"fact":
# [position, …]}} and names them in `person_key`: read the same way.
CREATED_PEOPLE = "created_people"
CREATED = "created"
_AT = "at"
_PEOPLE = "people"
_HOLDERS = "holders"


@dataclass(slots=True)
class _Created:
    """The `CREATED_PEOPLE` line's document as it is built; the set of the people's keys."""

    document: dict[str, object] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    facts: list[tuple[object, ...]] = field(default_factory=list)
    at: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, written: Written, before: Image, after: Image) -> _Created:
        """The people of `written`, with their rows but those an image holds (a login row
        taken over was there: it is a change, one of `_differing`'s); facts come later
        (`_appeared`)."""
        if not written.people:
            return cls()
        ids = [(pid,) for pid in written.people]
        document: dict[str, object] = {_PEOPLE: list(written.people.items())}
        for name in ("person", "account"):
            document[name] = ids if not (before[name] or after[name]) else [
                key for key in ids if key not in before[name] and key not in after[name]]
        holders = written.holders
        for name, keys in written.created.items():
            if before[name] or after[name]:  # a first rollover: no image holds anything
                kept = [index for index, key in enumerate(keys)
                        if key not in before[name] and key not in after[name]]
                keys = [keys[index] for index in kept]
                if name == "login":
                    holders = [holders[index] for index in kept]
            document[name] = keys
        document[_HOLDERS] = holders
        created = cls(document=document, keys=set(written.people.values()))
        document["fact"], document[_AT] = created.facts, created.at
        return created


def _appeared(apply_id: int, name: str, written: Written, before: Image, after: Image,
              created: _Created, *, first_position: int) -> list[_Line]:
    """The lines of the table's rows that appeared, but a created person's facts, added to
    the created people's line with their position among the table's lines."""
    old, new = before[name], after[name]
    rows = [(key, whose) for key, whose in written.rows[name].items()
            if key not in new and key not in old] if old or new else written.rows[name].items()
    lines: list[_Line] = []
    people, facts, at = created.keys, created.facts, created.at
    for position, (key, whose) in enumerate(rows, first_position):
        if name == "fact" and whose in people:
            facts.append(key)
            at.append(position)
        else:
            lines.append((apply_id, name, _dump_key(key), whose, None, APPEARED))
    return lines


def _differing(connection: Connection, name: str, old_rows: dict[tuple[object, ...], tuple[
        object, ...]], new_rows: dict[tuple[object, ...], tuple[object, ...]]
               ) -> Iterable[tuple[tuple[object, ...], Row | None, Row | None]]:
    """The rows of one table that differ between the images: identity, old and new (decoded;
    a row that appeared as read, numbers and text)."""
    columns = [column.name for column in _COLUMNS[name]]
    decoded = Decoder(connection, _COLUMNS[name])
    for key in (*new_rows, *(key for key in old_rows if key not in new_rows)):
        old_values, new_values = old_rows.get(key), new_rows.get(key)
        if old_values == new_values:
            continue
        if old_values is None:  # appeared: its identity only (numbers and text, as read)
            yield key, None, dict(zip(columns, new_values or (), strict=True))
            continue
        old = dict(zip(columns, decoded(old_values), strict=True))
        new = dict(zip(columns, decoded(new_values), strict=True)) if new_values else None
        if old != new:  # else stored differently, the same values
            yield key, old, new


def _difference(old: Row | None, new: Row | None) -> tuple[str | None, str | None]:
    """The line's `before` and `after`: the fields that differ; a whole row that disappeared
    (an undo puts it back). A row that appeared is kept as `{}`: what it holds is in the store
    itself, and an undo only needs its identity to take it away (a created account's password
    hash is never copied)."""
    if old is not None and new is not None:
        fields = [column for column in new if old[column] != new[column]]
        old, new = {f: old[f] for f in fields}, {f: new[f] for f in fields}
    elif new is not None:
        return None, APPEARED
    return _dump(old), _dump(new)


APPEARED = "{}"


def _person_keys(*images: Image) -> dict[object, str]:
    names = [column.name for column in _COLUMNS["person"]]
    ident, key = names.index("id"), names.index("key")
    return {row[ident]: str(row[key]) for image in images for row in image["person"].values()}


def _whose(name: str, row: Row, people: dict[object, str]) -> str | None:
    if name == "fact":
        return fact_person_key(str(row["kind"]), str(row["subject"]))
    if name == "breaker_mark":
        return None
    return people.get(row["id"] if name == "person" else row["person_id"])


def fact_person_key(kind: str, subject: str) -> str | None:
    """Whose a fact is: its subject's, but a structure's (a division, a group)."""
    return None if kind == "structure" else subject


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One row an apply changed: `before`/`after` hold the fields that differ (None: the row
    did not exist on that side)."""

    table: str
    row_key: tuple[object, ...]
    person_key: str | None
    before: Row | None
    after: Row | None


def changes_of(connection: Connection, apply_id: int) -> list[Change]:
    """One Change a row the apply changed, by table (in `_KEYS`' order), each in the order its
    line was recorded (a `CREATED` line's rows where they were written)."""
    rows = connection.execute(select(applied_change).where(applied_change.c.apply_id == apply_id)
                              .order_by(applied_change.c.id))
    lined: dict[str, list[Change]] = {name: [] for name in _KEYS}
    placed: dict[str, list[tuple[int, int, Change]]] = {name: [] for name in _KEYS}
    for row in rows:
        if row.table_name == CREATED_PEOPLE:
            _place_created(placed, json.loads(row.row_key))
        elif row.table_name == CREATED:
            _place(placed, row.person_key, json.loads(row.row_key))
        else:
            lined[row.table_name].append(Change(
                table=row.table_name, row_key=_key_of(json.loads(row.row_key)),
                person_key=row.person_key, before=_load(row.before), after=_load(row.after)))
    return [change for name in _KEYS for change in _merged(lined[name], sorted(placed[name]))]


def _place_created(placed: dict[str, list[tuple[int, int, Change]]],
                   document: dict[str, list[Any]]) -> None:
    """The rows of a `CREATED_PEOPLE` line, each with its person and its position among its
    table's lines (after them but facts)."""
    whose = dict(document.pop(_PEOPLE))
    holders, at = document.pop(_HOLDERS, []), document.pop(_AT, [])
    for table, keys in document.items():
        if table == "fact":  # a created person's fact: they are its subject
            owners, positions = [key[3] for key in keys], at
        else:
            owners = [whose[pid] for pid in (holders if table == "login"
                                             else (key[0] for key in keys))]
            positions = [_TAIL] * len(keys)
        first = len(placed[table])
        placed[table].extend(
            (position, first + index,
             Change(table=table, row_key=_key_of(key), person_key=owner, before=None, after={}))
            for index, (position, key, owner) in enumerate(zip(positions, keys, owners,
                                                               strict=True)))


def _place(placed: dict[str, list[tuple[int, int, Change]]], person_key: str,
           document: dict[str, list[list[object]]]) -> None:
    """A created person's rows of a `CREATED` line (records written before `CREATED_PEOPLE`),
    each with its position among its table's lines."""
    at: dict[str, list[int]] = document.pop(_AT, {})  # type: ignore[assignment]
    for table, keys in document.items():
        # Without a position, after the table's own lines, in the order of the lines.
        positions = at.get(table) or [_TAIL] * len(keys)
        placed[table].extend(
            (position, len(placed[table]), Change(table=table, row_key=_key_of(key),
                                                  person_key=person_key,
                                                  before=None, after={}))
            for position, key in zip(positions, keys, strict=True))


_TAIL = 1 << 62  # a position after every line


def _merged(lined: list[Change], placed: list[tuple[int, int, Change]]) -> list[Change]:
    """The lines, with each placed change put back at its position (in increasing order)."""
    merged: list[Change] = []
    rest = iter(lined)
    for position, _order, change in placed:
        while len(merged) < position:
            following = next(rest, None)
            if following is None:
                break
            merged.append(following)
        merged.append(change)
    merged.extend(rest)
    return merged


def _key_of(values: list[object]) -> tuple[object, ...]:
    return tuple(_decoded(value) for value in values)


def removed_fact_subjects(connection: Connection, uai: str, kind: str,
                          targets: frozenset[str]) -> set[str]:
    """The subjects of the facts of this kind to one of `targets` that an apply of the school
    removed (its record keeps them: the links of an élève who left go with her disabling)."""
    names = _KEYS["fact"]
    query = select(applied_change.c.row_key).join(
        applied_plan, applied_plan.c.id == applied_change.c.apply_id).where(
        (applied_plan.c.uai == uai) & (applied_change.c.table_name == "fact")
        & applied_change.c.after.is_(None) & applied_change.c.row_key.contains(f'"{kind}"'))
    removed = (dict(zip(names, json.loads(row_key), strict=True))
               for row_key in connection.execute(query).scalars())
    return {str(key["subject"]) for key in removed
            if key["kind"] == kind and key["target"] in targets}


def touched_people(connection: Connection, apply_ids: Iterable[int]) -> set[str]:
    """The keys of the people whose rows the applies changed (a `CREATED_PEOPLE` line names
    its people in its row_key)."""
    ids = list(apply_ids)
    if not ids:
        return set()
    touched = {key for key in connection.execute(
        select(applied_change.c.person_key).distinct()
        .where(applied_change.c.apply_id.in_(ids) & applied_change.c.person_key.is_not(None))
    ).scalars() if key is not None}
    for document in connection.execute(select(applied_change.c.row_key).where(
            applied_change.c.apply_id.in_(ids)
            & (applied_change.c.table_name == CREATED_PEOPLE))).scalars():
        touched.update(key for _pid, key in json.loads(document)[_PEOPLE])
    return touched


def restore(connection: Connection, changes: list[Change], now: datetime) -> None:
    """Put back what the apply changed (see the module's docstring)."""
    created = {change.row_key for change in changes
               if change.table == "person" and change.before is None}
    for change in changes:
        table = _TABLES[change.table]
        where = tuple_(*(table.c[c] for c in _KEYS[change.table])) == tuple_(*change.row_key)
        if change.before is None:
            _remove(connection, change, table, where, created, now)
        elif change.after is None:
            if change.table != "pending_password":  # its sealed password was never copied
                connection.execute(insert(table).values(**change.before))
        else:
            _put_back(connection, table, where, change.before, change.after)


def _remove(connection: Connection, change: Change, table: Table, where: object,
            created: set[tuple[object, ...]], now: datetime) -> None:
    if change.table == "login":  # quarantined, never deleted
        connection.execute(update(table).where(where, table.c.freed_at.is_(None))  # type: ignore
                           .values(freed_at=now))
    elif change.table == "person" or (change.table == "person_source_id"
                                      and (change.row_key[0],) in created):
        return  # kept with their logins: a person who comes back gets them again
    else:
        connection.execute(delete(table).where(where))  # type: ignore[arg-type]


def _put_back(connection: Connection, table: Table, where: object, before: Row,
              after: Row) -> None:
    """Each field back to its old value, where it still holds what the apply wrote."""
    current = connection.execute(select(table).where(where)).first()  # type: ignore[arg-type]
    if current is None:
        return
    values = {field: old for field, old in before.items()
              if current._mapping[field] == after.get(field)}
    if values:
        connection.execute(update(table).where(where).values(**values))  # type: ignore


def _tagged(value: object) -> object:
    """What JSON cannot hold (json.dumps' default), tagged to be read back as it was."""
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    raise TypeError(f"{type(value).__name__} in a row of the store")


def _decoded(value: object) -> object:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
    return value


# One encoder for every line (json.dumps with options makes a new one each call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_tagged)


def _dump_key(key: object) -> str:
    """A row's identity as a JSON list (or a `CREATED` line's identities, {table: [identity,
    …]}): numbers and text only (no key column holds a date),
    written by msgspec, a few times cheaper than json for the thousands of a first rollover
    (read back by json.loads: the same values)."""
    return _KEY_ENCODER.encode(key).decode()


_KEY_ENCODER = msgspec.json.Encoder()


def _dump(value: object) -> str | None:
    return None if value is None else _ENCODER.encode(value)


def _load(document: str | None) -> Row | None:
    if document is None:
        return None
    return {column: _decoded(value) for column, value in json.loads(document).items()}
