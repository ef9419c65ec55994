"""EduConnect sheets: for each élève of a division, one sheet with their EduConnect id and
their legal representatives', and how to activate the accounts. No password: EduConnect asks
each person to choose one at the activation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from bascule.reports.slips import SlipHeader, cut_frame, new_pdf, printable

ACTIVATION = (
    "Activation : rendez-vous sur educonnect.education.gouv.fr, choisissez « Élève » ou "
    "« Représentant légal »,",
    "saisissez l'identifiant ci-dessus, puis le code d'activation reçu par SMS (représentant "
    "légal) ou donné par l'établissement (élève).",
    "Choisissez alors votre mot de passe : 12 caractères au moins, avec 3 sortes parmi "
    "majuscules, minuscules, chiffres et caractères spéciaux.",
)
_SHEETS_PER_PAGE = 2
_HEIGHT = 136.0
_MARGIN = 12.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Sheet:
    label: str  # the élève
    division: str
    educonnect: str
    representatives: tuple[tuple[str, str], ...]  # (label, EduConnect id)


def division_sheets(header: SlipHeader, sheets: Sequence[Sheet]) -> bytes:
    pdf = new_pdf(f"EduConnect {header.school_name}")
    for number, sheet in enumerate(sorted(sheets, key=lambda s: s.label)):
        if number % _SHEETS_PER_PAGE == 0:
            pdf.add_page()
        _sheet(pdf, _MARGIN + (number % _SHEETS_PER_PAGE) * _HEIGHT, header, sheet)
    return bytes(pdf.output())


def _sheet(pdf: FPDF, top: float, header: SlipHeader, sheet: Sheet) -> None:
    left = _MARGIN + 4
    cut_frame(pdf, top, _HEIGHT - 4)
    pdf.set_font("Helvetica", size=9)
    pdf.text(left, top + 7, printable(f"{header.school_name} ({header.uai}) · année scolaire "
                                      f"{header.school_year} · comptes EduConnect"))
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.text(left, top + 16, printable(f"{sheet.label} · {sheet.division}"))
    rows = [("Élève", sheet.educonnect), *sheet.representatives]
    for row, (who, identifier) in enumerate(rows[:8]):
        baseline = top + 27 + 8 * row
        pdf.set_font("Helvetica", size=10)
        pdf.text(left, baseline, printable(who))
        pdf.set_font("Courier", style="B", size=13)
        pdf.text(left + 95, baseline, identifier)
    pdf.set_font("Helvetica", size=8)
    for row, line in enumerate(ACTIVATION):
        pdf.text(left, top + _HEIGHT - 22 + 4 * row, printable(line))
