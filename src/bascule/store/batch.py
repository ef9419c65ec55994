"""Many rows through one statement, at the driver's speed, inside the caller's transaction.

SQLAlchemy Core builds and converts each row's parameters in Python: for the thousands of rows
of an apply that cost about four times what the driver itself takes (issue 22). Here a
statement is compiled once for the connection's database; each row's values go through the
columns' types (the same conversions Core makes: UTC instants, SQLite's date strings) and the
whole list to the driver's executemany (psycopg pipelines it on PostgreSQL, where a plain
INSERT's rows go through COPY instead). Reads that only compare rows (the record of an apply's
changes) take the driver's raw tuples, and decode the few rows that matter with `Decoder`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import ClauseElement, ColumnElement, Insert, Select
from sqlalchemy.sql.compiler import SQLCompiler

Rows = Sequence[Mapping[str, object]]
_Convert = Callable[[Any], Any] | None
_SLICE = 500  # values a list of `among` binds elsewhere than on PostgreSQL: under every limit


def among(connection: Connection, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column` is one of the values of the list bound as `name` (lists made by `slices`). On
    PostgreSQL `column = ANY(:name)`: the whole list one array parameter, the statement's text
    the same whatever its length, parsed and converted once by psycopg (an IN of 500 bound
    values cost the client 2 ms and the server as much, each time); elsewhere the expanding
    `IN (...)` of SQLAlchemy, a bound value each."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def slices(connection: Connection, *lists: Sequence[Any]) -> Iterator[tuple[Sequence[Any], ...]]:
    """The lists to bind to `among`, side by side: whole on PostgreSQL (one query), by 500
    elsewhere (one query a slice, a list that ran out bound empty); nothing when all are empty."""
    longest = max((len(values) for values in lists), default=0)
    size = max(1, longest) if connection.dialect.name == "postgresql" else _SLICE
    for start in range(0, longest, size):
        yield tuple(values[start:start + size] for values in lists)


def execute_many(connection: Connection, statement: ClauseElement, rows: Rows) -> None:
    """`rows`: dicts keyed like Core's executemany (an insert's column names, the names of
    `bindparam`s); every row has the keys of the first. Nothing is done for no rows."""
    if not rows:
        return
    _run(connection, statement, list(rows[0]), rows, by_position=False)


def insert_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[object]]) -> None:
    """INSERT of `rows`, each the values of `columns` in that order (tuples): the thousands of
    rows an apply builds go to the driver without a dict a row; the same conversions as
    `execute_many`. Nothing is done for no rows."""
    if rows:
        _run(connection, insert(table), list(columns), rows, by_position=True)


def _run(connection: Connection, statement: ClauseElement, keys: list[str], rows: Rows | Sequence[
        Sequence[object]], *, by_position: bool) -> None:
    compiled = _compiled(connection, statement, keys)
    parameters = _Parameters(compiled, keys, by_position=by_position)
    if isinstance(statement, Insert) and _copyable(connection, statement):
        _copy(connection, statement.table, parameters, rows)
    else:
        connection.exec_driver_sql(compiled.string, parameters.of_all(rows))


def _copyable(connection: Connection, statement: Insert) -> bool:
    """A plain INSERT on PostgreSQL goes through COPY: one stream for all its rows, where
    executemany, even pipelined, has the server bind and run one INSERT a row (measured on a
    first rollover: the apply's inserts 1.2 s by executemany, a fifth of that by COPY)."""
    return (connection.dialect.name == "postgresql" and not statement._returning
            and statement._post_values_clause is None and statement.select is None)


def _copy(connection: Connection, table: Any, parameters: _Parameters,
          rows: Rows | Sequence[Sequence[object]]) -> None:
    """COPY in the connection's transaction; psycopg writes each value in PostgreSQL's text
    form, as it does for a bound parameter."""
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.format_column(table.c[name]) for name in parameters.names)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for values in parameters.values_of_all(rows):
            copy.write_row(values)


def fetch_raw(connection: Connection, query: Select[Any],
              parameters: Mapping[str, object] | None = None) -> list[tuple[Any, ...]]:
    """The rows as the driver gives them (SQLite's instants are strings), in one fetch, in the
    transaction of `connection`: equal rows stay equal, and nothing is decoded yet (Core's
    parameters are made once a query; its rows are what costs). `parameters`: the values of
    the query's bindparams (an expanding one for `IN (...)` keeps the query compiled once,
    where literal lists are compiled again for each list)."""
    result = connection.execute(query, parameters or {})
    try:
        return [tuple(row) for row in result.cursor.fetchall()]
    finally:
        result.close()


class Decoder:
    """Turns a raw row of these columns into the values Core would have given."""

    def __init__(self, connection: Connection, columns: Sequence[Column[Any]]):
        dialect = connection.dialect
        self._converters: list[_Convert] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in columns]

    def __call__(self, row: Sequence[object]) -> tuple[object, ...]:
        return tuple(value if convert is None else convert(value)
                     for convert, value in zip(self._converters, row, strict=True))


def _compiled(connection: Connection, statement: ClauseElement, keys: list[str]) -> SQLCompiler:
    compiled = statement.compile(dialect=connection.dialect, column_keys=keys)
    assert isinstance(compiled, SQLCompiler)  # an INSERT, UPDATE or DELETE
    return compiled


class _Parameters:
    """A compiled statement's bound parameters, in its driver's form (positional `?` for
    SQLite, named for psycopg): each row's values, and the fixed values the statement carries
    itself, through their column's type. An apply writes the same instant or code thousands of
    times: each distinct value is converted once."""

    def __init__(self, compiled: SQLCompiler, keys: Sequence[str], *, by_position: bool):
        """`keys`: the names of each row's values; `by_position`: rows are tuples of them in
        that order (else mappings by those names)."""
        binds, dialect = compiled.binds, compiled.dialect
        names = list(compiled.positiontup or ()) if compiled.positional else list(binds)
        self.names = names  # an INSERT's: its columns' keys
        escaped = compiled.escaped_bind_names
        self._keys = [escaped.get(name, name) for name in names]
        self._positional = bool(compiled.positional)
        converters = [_Memo.of(binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for name in names]
        taken = [position for position, name in enumerate(names) if name in keys]
        fields = [keys.index(names[p]) if by_position else names[p] for p in taken]
        self._get: Callable[[Any], Any] = itemgetter(*fields) if taken else lambda _row: ()
        # Tuples already in the statement's order: the rows themselves.
        self._as_given = by_position and fields == list(range(len(keys)))
        self._single = len(taken) == 1  # itemgetter of one name gives the value, not a tuple
        self._taken = taken if len(taken) < len(names) else None  # None: every value a row's
        self._converted = [(position, convert) for position, convert in enumerate(converters)
                           if convert is not None and position in taken]
        self._template: list[object] = [
            None if name in keys else _apply(converters[position], binds[name].effective_value)
            for position, name in enumerate(names)]

    def of_all(self, rows: Rows | Sequence[Sequence[object]]) -> list[Any]:
        if self._positional and self._taken is None and not self._converted:
            # Every value a row's, none converted (the record's lines): the getter's tuple.
            if self._as_given:
                return list(rows)
            if self._single:
                return [(value,) for value in map(self._get, rows)]
            return list(map(self._get, rows))
        values = self._rows_of(rows)
        if self._positional:
            return values
        return [dict(zip(self._keys, row, strict=True)) for row in values]

    def values_of_all(self, rows: Rows | Sequence[Sequence[object]]) -> list[list[object]]:
        """Each row's values in the order of `names`."""
        return [list(values) for values in self._rows_of(rows)]

    def _rows_of(self, rows: Rows | Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
        if not self.names:  # a statement without parameters: zip would give no row at all
            return [()] * len(rows)
        return list(zip(*self._columns(rows), strict=True))

    def _columns(self, rows: Rows | Sequence[Sequence[object]]) -> list[Sequence[object]]:
        """The values column by column, in the order of `names`: the rows' values read by one
        getter, each column's conversion made over the column (a loop of a row's values for
        each row cost the apply more than the driver's own work), the fixed ones repeated."""
        if self._as_given and not self._single:  # tuples in the statement's order: no copy
            got: Sequence[Any] = rows
            taken: list[Sequence[object]] = list(zip(*rows, strict=True))
        else:
            got = list(map(self._get, rows))
            taken = [got] if self._single else list(zip(*got, strict=True))
        if self._taken is None:
            columns = taken
        else:
            columns = [[value] * len(got) for value in self._template]
            for position, column in zip(self._taken, taken, strict=True):
                columns[position] = column
        for position, convert in self._converted:
            columns[position] = convert.column(columns[position])
        return columns


def _apply(convert: _Memo | None, value: object) -> object:
    return value if convert is None or value is None else convert(value)


class _Memo:
    """A type's conversion of a value, made once per distinct value."""

    def __init__(self, convert: Callable[[Any], Any]):
        self._convert, self._done = convert, dict[object, object]()

    @classmethod
    def of(cls, convert: _Convert) -> _Memo | None:
        return None if convert is None else cls(convert)

    def column(self, values: Sequence[object]) -> Sequence[object]:
        """The converted values of a column (None stays None): each distinct value converted
        once, the column looked up at the speed of `map`; a column of one value (an apply's
        instant, a column of None) converted once and repeated."""
        first = values[0] if values else None
        if values and values[-1] is first and values.count(first) == len(values):
            return [None if first is None else self(first)] * len(values)
        try:
            distinct = set(values)
        except TypeError:  # a value not hashable
            return [None if value is None else self(value) for value in values]
        convert, done = self._convert, self._done
        converted = {value: done[value] if value in done else convert(value)
                     for value in distinct if value is not None}
        converted[None] = None
        return list(map(converted.__getitem__, values))

    def __call__(self, value: object) -> object:
        try:
            return self._done[value]
        except KeyError:
            converted = self._done[value] = self._convert(value)
            return converted
        except TypeError:  # not hashable
            return self._convert(value)
