"""Comptes: the school's accounts filtered (as a page or a CSV file), and the re-print of a
division's slips for those still on their initial password."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.web.pages.passwords import slips_pdf
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff

router = APIRouter(include_in_schema=False)
SHOWN = 500  # rows listed on the page; the CSV file holds them all


@router.get("/comptes", response_class=HTMLResponse)
def accounts(request: Request, who: Staff, profil: str = "", division: str = "",
             etat: str = "active") -> Response:
    rows = [row for row in campaign.accounts(who.settings, who.school)
            if (not profil or row.profile == profil)
            and (not division or row.division == division)
            and (not etat or row.status == etat)]
    if request.query_params.get("format") == "csv":
        attachment = f'attachment; filename="comptes-{who.school}.csv"'
        return Response(("\ufeff" + school_ops.accounts_csv(rows)).encode("utf-8"),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": attachment})
    initial = sum(row.initial_password and row.status == "active" for row in rows)
    return page(request, "comptes.html.j2", who, person=who.person, rows=rows[:SHOWN],
                total=len(rows), profil=profil, division=division, etat=etat,
                initial=initial)


@router.post("/comptes/reimpression")
def reprint(who: Posted, code: Annotated[str, Form()]) -> FileResponse:
    """The slips of a division's élèves still on their initial password (new ones: the
    first are kept nowhere)."""
    return slips_pdf(who, code, initial_only=True)
