"""The long lists' helper (web/listing.py): search accents and case aside, sort by a column
either way with empty values last, pages cut on the server, links keeping the filters."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from bascule.web.listing import Column, ListQuery, paginate

ROWS = [("MARTIN", "Léa", 3), ("ÉMERY", "Timothée", None), ("durand", "Claire", 1),
        ("Martin", "Paul", 2)]
COLUMNS = (Column("nom", "Nom", lambda r: r[0]), Column("rang", "Rang", lambda r: r[2]),
           Column("note", "Note"))


def _page(**asked: object) -> list[tuple[str, str, int | None]]:
    listing = paginate(ROWS, ListQuery(**asked), COLUMNS,  # type: ignore[arg-type]
                       text=lambda r: f"{r[0]} {r[1]}", default_sort="nom", per_page=2)
    return listing.rows


def test_search_ignores_accents_and_case_and_needs_every_word() -> None:
    assert [r[1] for r in _page(q="martin lea")] == ["Léa"]
    assert [r[1] for r in _page(q="emery")] == ["Timothée"]
    assert _page(q="martin zoé") == []


def test_sort_either_way_with_empty_values_last() -> None:
    assert [r[0] for r in _page(tri="nom", page=1)] == ["durand", "ÉMERY"]
    assert [r[2] for r in _page(tri="rang", page=2)] == [3, None]
    assert [r[2] for r in _page(tri="-rang", page=1)] == [3, 2]
    assert [r[2] for r in _page(tri="-rang", page=2)] == [1, None]
    assert _page(tri="note") == _page(tri="inconnue") == _page()  # not sortable: the default


def test_a_page_beyond_the_last_shows_the_last() -> None:
    listing = paginate(ROWS, ListQuery(page=9), COLUMNS, text=lambda r: r[0],
                       default_sort="nom", per_page=3)
    assert (listing.page, listing.pages, listing.first, listing.last) == (2, 2, 4, 4)


def test_links_keep_the_filters_and_a_new_order_starts_again() -> None:
    query = ListQuery(q="martin", tri="nom", page=2, others=(("profil", "élève"),))
    listing = paginate(ROWS, query, COLUMNS, text=lambda r: r[0], default_sort="nom",
                       per_page=1)
    assert dict(parse_qsl(listing.link(page=1)[1:])) == {"profil": "élève", "q": "martin",
                                                         "tri": "nom"}
    assert dict(parse_qsl(listing.sort_link(COLUMNS[0])[1:])) == {
        "profil": "élève", "q": "martin", "tri": "-nom"}
    assert listing.arrow(COLUMNS[0]) == " ▲" and listing.arrow(COLUMNS[1]) == ""


@given(st.lists(st.integers(min_value=0, max_value=5) | st.none(), max_size=40),
       st.integers(min_value=1, max_value=7))
def test_the_pages_together_hold_every_row_once(values: list[int | None], per_page: int
                                                ) -> None:
    rows = list(enumerate(values))
    columns = (Column("v", "V", lambda r: r[1]),)
    first = paginate(rows, ListQuery(), columns, text=str, default_sort="-v", per_page=per_page)
    seen = [row for page in range(1, first.pages + 1)
            for row in paginate(rows, ListQuery(page=page), columns, text=str,
                                default_sort="-v", per_page=per_page).rows]
    assert sorted(seen) == rows and first.total == len(rows)
