"""Comptes: the school's accounts filtered by profile, division and state (their French words,
or the codes), searched, sorted and paginated (as a page, or all of them as a CSV file for the
direction and the operators, journaled), and the re-print of a division's slips for those
still on their initial password (after its confirmation, on the password tool)."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain import labels
from bascule.domain.policy import Permission
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.operations.school import AccountRow
from bascule.web.forms import FormError, parsed_fields
from bascule.web.listing import Column, Listed, paginate
from bascule.web.pages.passwords import confirmation_url
from bascule.web.rendering import csv_download, page
from bascule.web.requests import Posted, Refused, SignedIn, Staff, refusal

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
    Column("mot-de-passe", "Mot de passe",
           lambda r: labels.label(labels.PASSWORD_ORIGINS, r.password_origin)),
)


def _searched(row: AccountRow) -> str:
    return " ".join(filter(None, (row.last_name, row.first_name, row.login, row.educonnect,
                                  row.division)))


def _rows(who: SignedIn, profil: str, division: str, etat: str
          ) -> tuple[list[AccountRow], dict[str, FormError]]:
    """The accounts the filters keep that this person may see; or the filters' errors."""
    codes, errors = parsed_fields({"profil": profil, "etat": etat}, FILTERS)
    if errors:
        return [], errors
    rows = [row for row in campaign.accounts(who.settings, who.school)
            if (not profil or row.profile == codes["profil"])
            and (not division or row.division == division.strip())
            and (not etat or row.status == codes["etat"])]
    return school_ops.listed_accounts(who.settings, who.person, rows), errors


@router.get("/comptes", response_class=HTMLResponse)
def accounts(request: Request, who: Staff, listed: Listed, profil: str = "",
             division: str = "", etat: str = "actif") -> Response:
    if request.query_params.get("format") == "csv":  # the export's former address
        return RedirectResponse(f"/comptes/export?{request.url.query}", status_code=303)
    rows, errors = _rows(who, profil, division, etat)
    initial = sum(row.initial_password and row.status == "active" for row in rows)
    listing = paginate(rows, listed, COLUMNS, text=_searched, default_sort="nom")
    return page(request, "comptes.html.j2", who, status=400 if errors else 200,
                person=who.person, listing=listing, profil=profil, division=division,
                etat=etat, initial=initial, errors=errors,
                profiles=labels.PROFILES.values(), statuses=labels.STATUSES.values(),
                may_export=who.may(Permission.EXPORT_ACCOUNTS),
                may_reprint=who.may(Permission.RESET_STRUCTURE))


@router.get("/comptes/export")
def export(who: Staff, profil: str = "", division: str = "", etat: str = "actif"
           ) -> Response:
    """Every account the filters keep, with birth dates and INE: the direction's and the
    operators' only (the gate), journaled."""
    rows, errors = _rows(who, profil, division, etat)
    if errors:
        first = next(iter(errors.values()))
        raise Refused(400, first.message, first.hint)
    what = ", ".join(f"{name} {value}" for name, value in
                     (("profil", profil), ("division", division), ("état", etat)) if value)
    with refusal():
        text = school_ops.export_accounts(who.settings, who.school, rows, by=who.person.login,
                                          now=who.now(), what=what or "tous")
    return csv_download(text, f"comptes-{who.school}.csv")


@router.post("/comptes/reimpression")
def reprint(who: Posted, code: Annotated[str, Form()]) -> Response:
    """The re-print asks its confirmation first (the password tool's)."""
    return RedirectResponse(confirmation_url(code.strip(), True), status_code=303)
