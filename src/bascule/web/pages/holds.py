"""Retenues: the people kept exactly as they are, out of the plan, until a date (direction and
operators): the list, holding someone, lifting a hold. Each one journaled; the plan waiting is
then computed again by the operator (its hash covers the holds)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission
from bascule.operations import holds as hold_ops
from bascule.web.rendering import page
from bascule.web.requests import Posted, Refused, Staff, refusal, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
REFUSED = "Les retenues sont réservées à la direction et aux opérateurs."


@router.get("/retenues", response_class=HTMLResponse)
def holds_page(request: Request, who: Staff) -> HTMLResponse:
    require(who, Permission.HOLD_PERSON, REFUSED)
    rows = hold_ops.list_person_holds(who.settings, who.school, now=who.now())
    return page(request, "retenues.html.j2", who, person=who.person, rows=rows)


@router.post("/retenues")
def hold(who: Posted, personne: Field, jusqu_au: Field, motif: Field) -> Response:
    require(who, Permission.HOLD_PERSON, REFUSED)
    with refusal():
        hold_ops.add_person_hold(who.settings, who.school, personne,
                                 until=_day(jusqu_au), reason=motif, by=who.person.login,
                                 actor=who.person.login, now=who.now())
    return RedirectResponse("/retenues", status_code=303)


@router.post("/retenues/lever")
def lift(who: Posted, numero: Field) -> Response:
    require(who, Permission.HOLD_PERSON, REFUSED)
    with refusal():
        hold_ops.remove_person_hold(who.settings, who.school, numero, by=who.person.login,
                                    actor=who.person.login, now=who.now())
    return RedirectResponse("/retenues", status_code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"« {text} » n'est pas une date.",
                      "Choisissez le dernier jour de la retenue dans le calendrier.") from None

