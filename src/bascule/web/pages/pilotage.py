"""Pilotage: the rentrée closure of the ENT (Fermeture rentrée) and the delegations
(Autorisations); the policy decides who sees and who changes each."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.access import CLOSED_PROFILES
from bascule.domain.policy import DELEGATIONS, Permission, Subject
from bascule.operations import school as school_ops
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff, refusal, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]


@router.get("/pilotage/fermeture", response_class=HTMLResponse)
def closure(request: Request, who: Staff) -> HTMLResponse:
    # The memo: "visible seulement par le principal et le principal adjoint".
    require(who, Permission.TOGGLE_ENT_CLOSURE, "Pilotage > Fermeture rentrée est réservé au "
                                                "principal et au principal adjoint.")
    now = who.now()
    window = school_ops.closure_window(who.settings, who.school, now=now)
    states = {profile: school_ops.profile_access(who.settings, who.school, profile, now=now)
              for profile in CLOSED_PROFILES}
    return page(request, "fermeture.html.j2", who, person=who.person, may=True,
                window=window, states=states,
                running=window is not None and window.contains(now))


@router.post("/pilotage/fermeture")
def toggle(who: Posted, profil: Field, ouvrir: Field) -> Response:
    with refusal():
        school_ops.set_closure(who.settings, who.school, profil, reopen=ouvrir == "oui",
                               by=who.person.login, now=who.now())
    return RedirectResponse("/pilotage/fermeture", status_code=303)


@router.get("/pilotage/autorisations", response_class=HTMLResponse)
def delegations(request: Request, who: Staff) -> HTMLResponse:
    may = who.may(Permission.MANAGE_DELEGATIONS, Subject(profile="enseignant"))
    return page(request, "autorisations.html.j2", who, person=who.person, may=may,
                rows=school_ops.delegations(who.settings, who.school), names=list(DELEGATIONS))


@router.post("/pilotage/autorisations")
def change_delegation(who: Posted, identifiant: Field, delegation: Field,
                      accorder: Field) -> Response:
    with refusal():
        school_ops.change_delegation(who.settings, who.school, identifiant.strip(), delegation,
                                     by=who.person.login, now=who.now(),
                                     granted=accorder == "oui")
    return RedirectResponse("/pilotage/autorisations", status_code=303)
