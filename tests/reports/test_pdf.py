"""The slips' PDF written directly (reports/pdf.py) is the PDF fpdf2 drew from the same calls:
page by page the same content (byte for byte, once decompressed), the same fonts, page size and
title; and a reader opens it strictly (cross-reference table, lengths)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bascule.reports import slips
from bascule.reports.slips import (
    _HOW_TO,
    _HOW_TO_ENT,
    _MARGIN,
    _SLIP_HEIGHT,
    _SLIPS_PER_PAGE,
    Slip,
    SlipHeader,
    _rows,
    _where,
    cut_frame,
    division_slips,
    new_pdf,
    printable,
)


def fpdf2_slips(header: SlipHeader, eleves: Sequence[Slip],
                passwords: Mapping[str, str]) -> bytes:
    """The slips as fpdf2 drew them before reports/pdf.py (the reference)."""
    pdf = new_pdf(f"Identifiants {header.school_name}")
    school = printable(f"{header.school_name} ({header.uai}) · année scolaire "
                       f"{header.school_year}")
    ordered = sorted(eleves, key=lambda a: a.label)
    for first in range(0, len(ordered), _SLIPS_PER_PAGE):
        pdf.add_page()
        _fpdf2_page(pdf, school, [(_MARGIN + number * _SLIP_HEIGHT, slip,
                                   passwords[slip.person])
                                  for number, slip in enumerate(
                                      ordered[first:first + _SLIPS_PER_PAGE])])
    return bytes(pdf.output())


def _fpdf2_page(pdf: FPDF, school: str, page: list[tuple[float, Slip, str]]) -> None:
    left = _MARGIN + 4
    for top, _slip, _password in page:
        cut_frame(pdf, top, _SLIP_HEIGHT - 4)
    pdf.set_font("Helvetica", size=9)
    for top, _slip, _password in page:
        pdf.text(left, top + 7, school)
    pdf.set_font("Helvetica", style="B", size=13)
    for top, slip, _password in page:
        pdf.text(left, top + 15, printable(f"{slip.label} · {_where(slip) or ''}"))
    rows = [(top, _rows(slip, password)) for top, slip, password in page]
    pdf.set_font("Helvetica", size=10)
    for top, lines in rows:
        for row, (label, _value) in enumerate(lines):
            pdf.text(left, top + 24 + 7 * row, label)
    pdf.set_font("Courier", style="B", size=13)
    for top, lines in rows:
        for row, (_label, value) in enumerate(lines):
            pdf.text(left + 62, top + 24 + 7 * row, value)
    pdf.set_font("Helvetica", size=8.5)
    for top, slip, _password in page:
        for row, line in enumerate(_HOW_TO if slip.network_login else _HOW_TO_ENT):
            pdf.text(left, top + 48 + 4 * row, line)


def _read(pdf: bytes) -> tuple[object, list[tuple[bytes, object, object]]]:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    pages = []
    for page in reader.pages:
        contents = page.get_contents()
        fonts = page["/Resources"].get("/Font", {})
        pages.append((b"" if contents is None else contents.get_data(),
                      {name: (font["/BaseFont"], font["/Encoding"], font["/Subtype"])
                       for name, font in fonts.items()},
                      [float(value) for value in page.mediabox]))
    assert reader.metadata is not None
    return reader.metadata.title, pages


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_NAMES = st.one_of(_TEXT, st.sampled_from(["DUPONT (Léa)", "O'Neil\\Œuvre", "Ÿves\rÉlodie",
                                           "Zoë – 5e", "名前", ""]))
_LOGINS = st.one_of(st.none(), st.from_regex(r"[a-z0-9.\-]{1,20}", fullmatch=True))
_SLIPS = st.lists(st.builds(
    lambda n, label, division, network, educonnect, profile: Slip(
        person=f"p{n}", label=label, division=division, network_login=network,
        educonnect_login=educonnect, profile=profile),
    st.integers(), _NAMES, st.one_of(st.none(), _NAMES), _LOGINS, _LOGINS,
    st.sampled_from(["eleve", "enseignant", "responsable", "personnel"])),
    max_size=11, unique_by=lambda slip: slip.person)


@settings(max_examples=60, deadline=None)
@given(_SLIPS, _NAMES, st.from_regex(r"[!-~]{1,16}", fullmatch=True))
def test_the_slips_are_fpdf2s_page_by_page(eleves: list[Slip], school: str,
                                           password: str) -> None:
    header = SlipHeader(school_name=school, uai="0861000V", school_year="2025-2026")
    passwords = {slip.person: password for slip in eleves}
    assert _read(division_slips(header, eleves, passwords)) == _read(
        fpdf2_slips(header, eleves, passwords))


def test_a_first_rollovers_division_is_fpdf2s_too() -> None:
    """A division of 30 élèves with the names' usual characters: eight pages, each fpdf2's."""
    eleves = [Slip(person=f"eleve:{n}", label=f"DUPONT-ÉTIENNE Léa {n}", division="5 B/1",
                   network_login=f"ldupont{n}", educonnect_login=f"l.dupont{n}")
              for n in range(30)]
    header = SlipHeader(school_name="Collège Jean Moulin", uai="0861000V",
                        school_year="2025-2026")
    passwords = {slip.person: "Ab3!defgHIJK" for slip in eleves}
    title, pages = _read(division_slips(header, eleves, passwords))
    assert (title, pages) == _read(fpdf2_slips(header, eleves, passwords))
    assert len(pages) == 8 and title == "Identifiants Collège Jean Moulin"


def test_the_document_has_fpdf2s_objects_and_dates() -> None:
    document = slips.Document("Identifiants (test)")
    page = document.add_page()
    page.texts("Helvetica", "", 9, [(10, 10, "a")])
    out = document.output(now=datetime(2025, 9, 1, 6, 30, tzinfo=UTC))
    assert out.startswith(b"%PDF-1.3\n") and out.endswith(b"%%EOF\n")
    assert b"/CreationDate (D:20250901063000Z)\n/Title (Identifiants \\(test\\))" in out
    assert PdfReader(io.BytesIO(out), strict=True).metadata.title == "Identifiants (test)"
