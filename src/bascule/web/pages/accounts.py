"""Comptes: the school's accounts filtered by profile, division and state (their French words,
or the codes), searched, sorted and paginated (as a page, or all of them as a CSV file), and
the re-print of a division's slips for those still on their initial password."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bascule.domain import labels
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.operations.school import AccountRow
from bascule.web.forms import parsed_fields
from bascule.web.listing import Column, Listed, paginate
from bascule.web.pages.passwords import slips_pdf
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff

router = APIRouter(include_in_schema=False)
FILTERS = {"profil": partial(labels.parse_choice, table=labels.PROFILES, what="profil",
                             option="Profil"),
           "etat": partial(labels.parse_choice, table=labels.STATUSES, what="état",
                           option="État")}
COLUMNS: tuple[Column[AccountRow], ...] = (
    Column("nom", "Nom", lambda r: f"{r.last_name} {r.first_name}"),
    Column("identifiant", "Identifiant", lambda r: r.login),
    Column("educonnect", "EduConnect", lambda r: r.educonnect),
    Column("profil", "Profil", lambda r: labels.profile_label(r.profile)),
    Column("division", "Division", lambda r: r.division),
    Column("etat", "État", lambda r: labels.status_label(r.status)),
    Column("mot-de-passe", "Mot de passe", lambda r: "initial" if r.initial_password
           else "changé"),
)


def _searched(row: AccountRow) -> str:
    return " ".join(filter(None, (row.last_name, row.first_name, row.login, row.educonnect,
                                  row.division)))


@router.get("/comptes", response_class=HTMLResponse)
def accounts(request: Request, who: Staff, listed: Listed, profil: str = "",
             division: str = "", etat: str = "actif") -> Response:
    codes, errors = parsed_fields({"profil": profil, "etat": etat}, FILTERS)
    rows = [] if errors else [
        row for row in campaign.accounts(who.settings, who.school)
        if (not profil or row.profile == codes["profil"])
        and (not division or row.division == division.strip())
        and (not etat or row.status == codes["etat"])]
    if request.query_params.get("format") == "csv" and not errors:
        attachment = f'attachment; filename="comptes-{who.school}.csv"'
        return Response(("\ufeff" + school_ops.accounts_csv(rows)).encode("utf-8"),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": attachment})
    initial = sum(row.initial_password and row.status == "active" for row in rows)
    listing = paginate(rows, listed, COLUMNS, text=_searched, default_sort="nom")
    return page(request, "comptes.html.j2", who, status=400 if errors else 200,
                person=who.person, listing=listing, profil=profil, division=division,
                etat=etat, initial=initial, errors=errors,
                profiles=labels.PROFILES.values(), statuses=labels.STATUSES.values())


@router.post("/comptes/reimpression")
def reprint(who: Posted, code: Annotated[str, Form()]) -> FileResponse:
    """The slips of a division's élèves still on their initial password (new ones: the
    first are kept nowhere)."""
    return slips_pdf(who, code, initial_only=True)
