"""Retenues: the people kept exactly as they are, out of the plan, until a date (direction and
operators): the list, holding someone, lifting a hold. Each one journaled; the plan waiting is
then computed again by the operator (its hash covers the holds)."""

from contextlib import suppress
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.people import parse_shown_date
from bascule.domain.policy import Permission
from bascule.errors import NotAllowed, NotFound, UserError
from bascule.operations import holds as hold_ops
from bascule.web.forms import FormError
from bascule.web.rendering import page
from bascule.web.requests import Posted, Refused, SignedIn, Staff, refusal, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
REFUSED = "Les retenues sont réservées à la direction et aux opérateurs."


@router.get("/retenues", response_class=HTMLResponse)
def holds_page(request: Request, who: Staff) -> HTMLResponse:
    require(who, Permission.HOLD_PERSON, REFUSED)
    return _holds_page(request, who)


def _holds_page(request: Request, who: SignedIn, *, error: FormError | None = None,
                typed: dict[str, str] | None = None) -> HTMLResponse:
    """The list and the form; a refused form comes back with the reason beside its field and
    what was typed kept."""
    rows = hold_ops.list_person_holds(who.settings, who.school, now=who.now())
    return page(request, "retenues.html.j2", who, status=400 if error else 200,
                person=who.person, rows=rows, error=error, typed=typed or {})


@router.post("/retenues")
def hold(request: Request, who: Posted, personne: Field, jusqu_au: Field,
         motif: Field) -> Response:
    """A mistake in the form (a date unread or past, no reason, an unknown login) shows the
    page again, the reason beside the field; the policy's refusals are the refusal page."""
    require(who, Permission.HOLD_PERSON, REFUSED)
    typed = {"personne": personne, "jusqu_au": jusqu_au, "motif": motif}
    until = _day(jusqu_au)
    if until is None:
        error = FormError(f"« {jusqu_au} » n'est pas une date.",
                          "Écrivez le dernier jour de la retenue ainsi : 31/12/2026 (ou "
                          "2026-12-31).", "jusqu_au")
        return _holds_page(request, who, error=error, typed=typed)
    try:
        hold_ops.add_person_hold(who.settings, who.school, personne,
                                 until=until, reason=motif, by=who.person.login,
                                 actor=who.person.login, now=who.now())
    except NotAllowed as exc:
        raise Refused(403, exc.console_message, exc.console_hint) from exc
    except UserError as exc:
        field = exc.field or ("personne" if isinstance(exc, NotFound) else None)
        return _holds_page(request, who, error=FormError.of(exc, field), typed=typed)
    return RedirectResponse("/retenues", status_code=303)


@router.post("/retenues/lever")
def lift(who: Posted, numero: Field) -> Response:
    require(who, Permission.HOLD_PERSON, REFUSED)
    with refusal():
        hold_ops.remove_person_hold(who.settings, who.school, numero, by=who.person.login,
                                    actor=who.person.login, now=who.now())
    return RedirectResponse("/retenues", status_code=303)


def _day(text: str) -> date | None:
    """A day as bascule shows it (« 31/12/2026 ») or in ISO (2026-12-31); None if neither."""
    with suppress(ValueError):
        return parse_shown_date(text)
    return None

