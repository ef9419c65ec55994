"""Pilotage: the rentrée closure of the ENT (Fermeture rentrée) and the delegations
(Autorisations); the policy decides who sees and who changes each."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain import labels
from bascule.domain.access import CLOSED_PROFILES
from bascule.domain.labels import folded
from bascule.domain.policy import DELEGATION_GIVES, STAFF_PROFILES, Permission, Subject
from bascule.errors import UserError
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.web.forms import FormError
from bascule.web.rendering import page
from bascule.web.requests import Posted, SignedIn, Staff, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]


@router.get("/pilotage/fermeture", response_class=HTMLResponse)
def closure(request: Request, who: Staff) -> HTMLResponse:
    # The memo: "visible seulement par le principal et le principal adjoint".
    require(who, Permission.TOGGLE_ENT_CLOSURE, "Pilotage > Fermeture rentrée est réservé au "
                                                "principal et au principal adjoint.")
    return _closure_page(request, who)


def _closure_page(request: Request, who: SignedIn, error: FormError | None = None
                  ) -> HTMLResponse:
    now = who.now()
    window = school_ops.closure_window(who.settings, who.school, now=now)
    return page(request, "fermeture.html.j2", who, status=400 if error else 200,
                person=who.person, may=True, error=error, window=window,
                states=school_ops.ent_states(who.settings, who.school, now=now),
                closable=CLOSED_PROFILES, running=window is not None and window.contains(now))


@router.post("/pilotage/fermeture")
def toggle(request: Request, who: Posted, profil: Field, ouvrir: Field) -> Response:
    """Reopened or closed again, then back to the page; a refusal (the closure ended since the
    page was read) is said on the page as it is now."""
    try:
        school_ops.set_closure(who.settings, who.school, profil, reopen=ouvrir == "oui",
                               by=who.person.login, now=who.now())
    except UserError as exc:
        return _closure_page(request, who, FormError.of(exc))
    return RedirectResponse("/pilotage/fermeture", status_code=303)


def _staff(who: SignedIn) -> list[tuple[str, str]]:
    """The picker's choices: the school's active staff, by name, as (login, what is shown)."""
    rows = sorted((row for row in campaign.accounts(who.settings, who.school)
                   if row.profile in STAFF_PROFILES and row.status == "active" and row.login),
                  key=lambda row: folded(f"{row.last_name} {row.first_name}"))
    return [(row.login or "", f"{row.last_name} {row.first_name} ({row.login}) · "
             f"{labels.profile_label(row.profile)}") for row in rows]


def _delegations_page(request: Request, who: SignedIn, *, error: FormError | None = None,
                      chosen: tuple[str, str] = ("", "")) -> HTMLResponse:
    may = who.may(Permission.MANAGE_DELEGATIONS, Subject(profile="enseignant"))
    return page(request, "autorisations.html.j2", who, status=400 if error else 200,
                person=who.person, may=may,
                rows=school_ops.delegations(who.settings, who.school),
                delegations=DELEGATION_GIVES,  # every one, with what it gives
                staff=_staff(who) if may else [], error=error, chosen=chosen)


@router.get("/pilotage/autorisations", response_class=HTMLResponse)
def delegations(request: Request, who: Staff) -> HTMLResponse:
    return _delegations_page(request, who)


@router.post("/pilotage/autorisations")
def change_delegation(request: Request, who: Posted, identifiant: Field, delegation: Field,
                      accorder: Field) -> Response:
    """Granted or revoked, then back to the list (POST, redirect, GET); a refusal is shown in
    the form, with the person and the delegation chosen."""
    try:
        school_ops.change_delegation(who.settings, who.school, identifiant.strip(), delegation,
                                     by=who.person.login, now=who.now(),
                                     granted=accorder == "oui")
    except UserError as exc:
        return _delegations_page(request, who, error=FormError.of(exc),
                                 chosen=(identifiant, delegation))
    return RedirectResponse("/pilotage/autorisations", status_code=303)
