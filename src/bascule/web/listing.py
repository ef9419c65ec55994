"""The console's long lists (Comptes, Espaces, Journal, the plan's details), paginated on the
server with a search and a sort, by query parameters only, without JavaScript:
`?q=martin&tri=-nom&page=2` (`q` words found in the row, accents and case aside; `tri` a
column's key, `-` first for the descending order; `page` from 1). The page's other parameters
(its filters) are kept in every link.

A page asks for the request's `ListQuery` (the `Listed` dependency), calls `paginate` with its
rows and columns, and renders `Listing` with the macros of templates/web/_liste.html.j2
(`search`, `header`, `pager`). Parameters that do not read (page=abc, an unknown column) fall
back to the first page and the default order: they come from links, not from a person's typing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Request

from bascule.domain.labels import folded

T = TypeVar("T")
PER_PAGE = 50  # rows on a page: a laptop's screen or two
LIST_PARAMETERS = ("q", "tri", "page")


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """A column of a list: its key in `tri=`, its header, and what its rows sort by (None:
    not sortable)."""

    key: str
    label: str
    value: Callable[[T], object] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListQuery:
    """What the request asks of a list; `others`: its other parameters (filters), kept."""

    q: str = ""
    tri: str = ""
    page: int = 1
    others: tuple[tuple[str, str], ...] = ()


def list_query(request: Request) -> ListQuery:
    """The request's `q`, `tri` and `page` (an unreadable page is the first)."""
    params = request.query_params
    page = params.get("page", "1")
    return ListQuery(q=params.get("q", "").strip(), tri=params.get("tri", ""),
                     page=int(page) if page.isdecimal() and int(page) > 0 else 1,
                     others=tuple((k, v) for k, v in params.multi_items()
                                  if k not in LIST_PARAMETERS and v))


Listed = Annotated[ListQuery, Depends(list_query)]


def _empty(value: object) -> bool:
    return value is None or value == "" or value == ()


def _comparable(value: object) -> Any:
    """Text without accents or case; numbers and dates as they are."""
    return folded(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing(Generic[T]):
    """One page of a list, and what its links need."""

    rows: list[T]  # this page's
    total: int  # rows found by the search (every page)
    page: int  # from 1
    pages: int  # at least 1
    first: int  # the number of this page's first row, from 1 (0 when none)
    query: ListQuery
    columns: tuple[Column[T], ...]
    sort: str  # the column sorted by
    descending: bool

    def link(self, *, page: int | None = None, tri: str | None = None) -> str:
        """This list's address with a page or an order changed (a new order: the first page)."""
        values = [*self.query.others, ("q", self.query.q),
                  ("tri", self.query.tri if tri is None else tri),
                  ("page", str(page) if page and page > 1 else "")]
        return "?" + urlencode([(k, v) for k, v in values if v])

    def sort_link(self, column: Column[T]) -> str:
        ascending = not (self.sort == column.key and not self.descending)
        return self.link(tri=column.key if ascending else "-" + column.key)

    def arrow(self, column: Column[T]) -> str:
        if column.key != self.sort:
            return ""
        return " ▼" if self.descending else " ▲"

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _matches(words: list[str], text: str) -> bool:
    haystack = folded(text)
    return all(word in haystack for word in words)


def paginate(rows: Iterable[T], query: ListQuery, columns: Sequence[Column[T]], *,
             text: Callable[[T], str], default_sort: str,
             per_page: int = PER_PAGE) -> Listing[T]:
    """The rows whose `text` holds every word of the search, sorted by the column asked (else
    `default_sort`, which may start with `-`), cut to the page asked (the last one when
    beyond)."""
    words = folded(query.q).split()
    found = [row for row in rows if _matches(words, text(row))] if words else list(rows)
    by_key = {column.key: column for column in columns if column.value is not None}
    sort = query.tri if query.tri.lstrip("-") in by_key else default_sort
    descending, key = sort.startswith("-"), sort.lstrip("-")
    value = by_key[key].value
    assert value is not None  # by_key holds sortable columns only
    # Empty values last in both orders: sort the filled ones, then append the empty ones.
    filled = [row for row in found if not _empty(value(row))]
    ordered = sorted(filled, key=lambda row: _comparable(value(row)), reverse=descending)
    ordered += [row for row in found if _empty(value(row))]
    pages = max(1, ceil(len(ordered) / per_page))
    page = min(query.page, pages)
    start = (page - 1) * per_page
    shown = ordered[start:start + per_page]
    return Listing(rows=shown, total=len(ordered), page=page, pages=pages,
                   first=start + 1 if shown else 0, query=query, columns=tuple(columns),
                   sort=key, descending=descending)
