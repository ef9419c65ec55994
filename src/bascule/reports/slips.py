"""Printable slips, one per new account, to hand out at the rentrée: one PDF per division for
the élèves, one per staff category (enseignants, direction, vie scolaire…), one for the
responsables.

Each slip says who it is for, the logins the account has (network; ENT and EduConnect) and its
provisional password, and how to log in the first time. The built-in PDF fonts are used with the
Windows-1252 encoding, which holds every character of a Siècle name (ISO-8859-15: é, œ, Œ, Ÿ…).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from anyascii import anyascii
from fpdf import FPDF

from bascule.domain.labels import PROFILES_PLURAL, profile_label
from bascule.domain.logins import LoginKind
from bascule.plan.model import Action, login_of
from bascule.reports.pdf import PAGE_WIDTH, Document, Page

_SLIPS_PER_PAGE = 4
_SLIP_HEIGHT = 68.0  # mm, four to an A4 page, cut along the lines
_MARGIN = 12.0
# Broken into lines once, here: letting the PDF library flow the same paragraph on every slip
# cost more than everything else of an apply.
_NEW_PASSWORD = (
    "Un nouveau mot de passe vous sera demandé : 12 caractères au moins, avec 3 sortes parmi "
    "majuscules, minuscules,",
    "chiffres et caractères spéciaux. Ne le donnez à personne.",
)
_HOW_TO = ("Première connexion : sur un ordinateur du collège, saisissez l'identifiant et le mot "
           "de passe provisoire ci-dessus.", *_NEW_PASSWORD)
# Responsables have no account on the school's network: they sign in to the ENT.
_HOW_TO_ENT = ("Première connexion : sur le site de l'ENT, choisissez EduConnect et saisissez "
               "l'identifiant et le mot de passe ci-dessus.", *_NEW_PASSWORD)


@dataclass(frozen=True, slots=True, kw_only=True)
class Slip:
    """One élève's slip: who, where, the logins, and the key of their password."""

    person: str
    label: str
    division: str | None
    network_login: str | None
    educonnect_login: str | None
    profile: str = "eleve"


# A slip as the apply's pool of processes gets it (reports/credentials.py): its fields in
# order, a tuple pickled in C, where a dataclass's pickling runs Python code for each one.
SlipRow = tuple[str, str, "str | None", "str | None", "str | None", str]


def slip_of_row(row: SlipRow) -> Slip:
    person, label, division, network_login, educonnect_login, profile = row
    return Slip(person=person, label=label, division=division, network_login=network_login,
                educonnect_login=educonnect_login, profile=profile)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlipHeader:
    school_name: str
    uai: str
    school_year: str


def printable(text: str) -> str:
    """Windows-1252 holds every Siècle name; anything else (a CSV oddity) is transliterated."""
    if _encodable(text):
        return text
    return "".join(c if _encodable(c) else anyascii(c) for c in text)


def _encodable(text: str) -> bool:
    try:
        text.encode("windows-1252")
        return True
    except UnicodeEncodeError:
        return False


def new_pdf(title: str) -> FPDF:
    """An A4 document of the built-in fonts in Windows-1252, laid out by hand."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_title(printable(title))
    return pdf


def cut_frame(pdf: FPDF, top: float, height: float) -> None:
    """The dashed frame to cut a slip along."""
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.rect(_MARGIN, top, pdf.w - 2 * _MARGIN, height)
    pdf.set_dash_pattern()


def division_slips(header: SlipHeader, eleves: Sequence[Slip],
                   passwords: Mapping[str, str]) -> bytes:
    """The slips, four to a page, in the order of their labels (reports/pdf.py writes the PDF:
    fpdf2 took most of an apply's time to draw the slips of a first rollover)."""
    document = Document(printable(f"Identifiants {header.school_name}"))
    school = printable(f"{header.school_name} ({header.uai}) · année scolaire "
                       f"{header.school_year}")
    ordered = sorted(eleves, key=lambda a: a.label)
    for first in range(0, len(ordered), _SLIPS_PER_PAGE):
        _page(document.add_page(), school,
              [(_MARGIN + number * _SLIP_HEIGHT, slip, passwords[slip.person])
               for number, slip in enumerate(ordered[first:first + _SLIPS_PER_PAGE])])
    return document.output()


def _page(page: Page, school: str, slips: list[tuple[float, Slip, str]]) -> None:
    """A page's slips (top, slip, password): their frames, then their lines font by font."""
    left = _MARGIN + 4
    page.stroke_grey(150)
    for top, _slip, _password in slips:
        page.dashed_frame(_MARGIN, top, PAGE_WIDTH - 2 * _MARGIN, _SLIP_HEIGHT - 4)
    page.texts("Helvetica", "", 9, [(left, top + 7, school) for top, _slip, _pw in slips])
    page.texts("Helvetica", "B", 13, [
        (left, top + 15, printable(f"{slip.label} · {_where(slip) or ''}"))
        for top, slip, _password in slips])
    rows = [(top, _rows(slip, password)) for top, slip, password in slips]
    page.texts("Helvetica", "", 10, [(left, top + 24 + 7 * row, label)
                                     for top, lines in rows
                                     for row, (label, _value) in enumerate(lines)])
    page.texts("Courier", "B", 13, [(left + 62, top + 24 + 7 * row, value)
                                    for top, lines in rows
                                    for row, (_label, value) in enumerate(lines)])
    page.texts("Helvetica", "", 8.5, [
        (left, top + 48 + 4 * row, line) for top, slip, _password in slips
        for row, line in enumerate(_HOW_TO if slip.network_login else _HOW_TO_ENT)])


def _where(slip: Slip) -> str | None:
    return slip.division if slip.profile == "eleve" else profile_label(slip.profile)


def _rows(action: Slip, password: str) -> list[tuple[str, str]]:
    """The logins the account has, and its password."""
    rows = [("Identifiant (réseau du collège)", action.network_login)] if action.network_login \
        else []
    rows.append(("Mot de passe provisoire", password))
    if action.educonnect_login:
        rows.append(("Identifiant ENT et EduConnect", action.educonnect_login))
    return rows


def slips_by_group(created: Sequence[Action]) -> dict[str, list[SlipRow]]:
    """Every created account's slip (as `SlipRow`), by the PDF it goes to: the élèves by
    division, the staff by category (« enseignants », « personnels de vie scolaire »…), the
    responsables together."""
    groups: dict[str, list[SlipRow]] = defaultdict(list)
    network, educonnect = LoginKind.NETWORK, LoginKind.EDUCONNECT
    for action in created:
        profile = action.profile
        if profile == "eleve":
            group = action.division or "sans-division"
        else:
            group = PROFILES_PLURAL.get(profile, profile)
        groups[group].append((action.person, action.label, action.division,
                              login_of(action.logins, network),
                              login_of(action.logins, educonnect), profile))
    return dict(groups)


def slip_file_name(division: str, taken: set[str]) -> str:
    """A safe, unique file name for a division code that may hold spaces, '/', accents."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", anyascii(division)).strip("_") or "division"
    name, number = f"fiches-{stem}.pdf", 1
    while name in taken:
        number += 1
        name = f"fiches-{stem}-{number}.pdf"
    taken.add(name)
    return name
