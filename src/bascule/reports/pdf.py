"""A PDF of A4 pages of text at fixed places and dashed frames, in the PDF's built-in fonts
(Windows-1252), written directly: the slips of a first rollover (reports/slips.py).

fpdf2 drew the same pages with a Python call or more for each line and an object model for each
page: 0.25 ms a slip, some 4 s of the apply's process pool for the 16,000 slips of a 10-collège
first rollover, longer than the whole apply's SQL; the apply waits for them before it commits.
Here a page's content is the bytes fpdf2 wrote for the same calls (its number formats, its
operators, its order), checked equal page by page against fpdf2 by a test
(tests/reports/test_pdf.py), and the document around them is the same objects.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

_K = 72 / 25.4  # points a millimetre
_WIDTH_PT, _HEIGHT_PT = 595.28, 841.89  # A4
PAGE_WIDTH, PAGE_HEIGHT = _WIDTH_PT / _K, _HEIGHT_PT / _K  # in millimetres, as fpdf2 has them
# Each page starts with fpdf2's defaults: projecting line caps, a line of 0.2 mm.
_PROLOGUE = b"2 J\n0.57 w\n"
# fpdf2's names of the built-in fonts used, by (family, style).
_BASE_FONTS = {("Helvetica", ""): b"Helvetica", ("Helvetica", "B"): b"Helvetica-Bold",
               ("Courier", ""): b"Courier", ("Courier", "B"): b"Courier-Bold"}
Placed = Sequence[tuple[float, float, str]]  # (x, y, text): the text's baseline starts at x, y


class Page:
    """One A4 page, drawn in order; coordinates in millimetres from the top left corner."""

    def __init__(self, document: Document):
        self._document = document
        self._parts: list[bytes] = [_PROLOGUE]
        self._grey: bytes | None = None

    def stroke_grey(self, level: int) -> None:
        """The lines' grey (0 black, 255 white), from here on."""
        grey = b"%.4f G\n" % (level / 255)
        if grey != self._grey:
            self._parts.append(grey)
            self._grey = grey

    def dashed_frame(self, x: float, y: float, width: float, height: float) -> None:
        """A rectangle of 2 mm dashes with 2 mm gaps."""
        self._parts.append(b"[5.669 5.669] 0.000 d\n%.2f %.2f %.2f %.2f re S\n[] 0 d\n" % (
            x * _K, (PAGE_HEIGHT - y) * _K, width * _K, -height * _K))

    def texts(self, family: str, style: str, size: float, placed: Placed) -> None:
        """Each text in the font (family, style "" or "B", size in points), Windows-1252."""
        document = self._document
        parts, at, literal = self._parts, document.text_at, document.literal
        parts.append(b"BT /F%d %.2f Tf ET\n" % (document.font_number(family, style), size))
        for x, y, text in placed:
            # Most lines of a document repeat (the places, the instructions, the labels):
            # each place and each text made bytes once.
            start = at.get((x, y))
            if start is None:
                start = at[x, y] = b"BT %.2f %.2f Td (" % (x * _K, (PAGE_HEIGHT - y) * _K)
            escaped = literal.get(text)
            if escaped is None:
                escaped = literal[text] = _escaped(text.encode("windows-1252"))
            parts.append(b"%s%s) Tj ET\n" % (start, escaped))

    def content(self) -> bytes:
        return b"".join(self._parts)


class Document:
    """Pages, then `output`: a PDF 1.3 with fpdf2's objects (its page tree, one resource
    dictionary for every page, the information dictionary with the title)."""

    def __init__(self, title: str):
        self.title = title
        self.pages: list[Page] = []
        self._fonts: dict[tuple[str, str], int] = {}  # numbered in the order of first use
        self.text_at: dict[tuple[float, float], bytes] = {}  # a text's start, by its place
        self.literal: dict[str, bytes] = {}  # a text as a PDF string's content

    def add_page(self) -> Page:
        page = Page(self)
        self.pages.append(page)
        return page

    def font_number(self, family: str, style: str) -> int:
        return self._fonts.setdefault((family, style), len(self._fonts) + 1)

    def output(self, *, now: datetime | None = None) -> bytes:
        pages = self.pages or [Page(self)]  # as fpdf2: a document has one page at least
        fonts = list(self._fonts)
        first_font = 3 + 2 * len(pages)
        resources = first_font + len(fonts)
        objects = [
            b"<<\n/Count %d\n/Kids [%s]\n/MediaBox [0 0 595.28 841.89]\n/Type /Pages\n>>"
            % (len(pages), b" ".join(b"%d 0 R" % (3 + 2 * n) for n in range(len(pages)))),
            b"<<\n/OpenAction [3 0 R /FitH null]\n/PageLayout /OneColumn\n/Pages 1 0 R\n"
            b"/Type /Catalog\n>>",
        ]
        for number, page in enumerate(pages):
            compressed = zlib.compress(page.content())
            objects.append(b"<<\n/Contents %d 0 R\n/Parent 1 0 R\n/Resources %d 0 R\n"
                           b"/Type /Page\n>>" % (4 + 2 * number, resources))
            objects.append(b"<<\n/Filter /FlateDecode\n/Length %d\n>>\nstream\n%s\nendstream"
                           % (len(compressed), compressed))
        objects.extend(b"<<\n/BaseFont /%s\n/Encoding /WinAnsiEncoding\n/Subtype /Type1\n"
                       b"/Type /Font\n>>" % _BASE_FONTS[font] for font in fonts)
        font_names = b"\n".join(b"/F%d %d 0 R" % (n + 1, first_font + n)
                                for n in range(len(fonts)))
        objects.append(b"<<\n/Font <<%s>>\n/ProcSet [/PDF /Text /ImageB /ImageC /ImageI]\n>>"
                       % font_names if fonts else
                       b"<<\n/ProcSet [/PDF /Text /ImageB /ImageC /ImageI]\n>>")
        created = (now or datetime.now(UTC)).astimezone(UTC)
        objects.append(b"<<\n/CreationDate (D:%sZ)\n/Title %s\n>>" % (
            created.strftime("%Y%m%d%H%M%S").encode(), _text_string(self.title)))
        return _assembled(objects)


def _assembled(objects: list[bytes]) -> bytes:
    """The objects numbered from 1, their cross-reference table and the trailer (the last
    object is the information dictionary, the second the catalog)."""
    out = bytearray(b"%PDF-1.3\n%\xe9\xeb\xf1\xbf\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    identifier = hashlib.md5(out, usedforsecurity=False).hexdigest().upper().encode()
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<<\n/Size %d\n/Root 2 0 R\n/Info %d 0 R\n/ID [<%s><%s>]\n>>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(objects), identifier,
                                            identifier, xref))
    return bytes(out)


def _escaped(text: bytes) -> bytes:
    """A PDF literal string's content: backslash, parentheses and carriage return escaped."""
    return (text.replace(b"\\", b"\\\\").replace(b")", b"\\)").replace(b"(", b"\\(")
            .replace(b"\r", b"\\r"))


def _text_string(text: str) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16 with its byte order mark."""
    if text.isascii():
        return b"(%s)" % _escaped(text.encode("ascii"))
    return b"<FEFF%s>" % text.encode("utf-16-be").hex().upper().encode()
