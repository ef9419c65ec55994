"""The département's operators in the console (issue 21): their sign-in, apart from the
schools' (/connexion/operateur: they are not people of a school, store/operators.py), and the
page Établissement, where they choose which of the console's schools their pages are about.
What they may then open is the policy's (Role.OPERATEUR, domain/policy.py), through the gates
(web/access.py), as for everyone."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.errors import UserError
from bascule.operations import operators as operator_ops
from bascule.operations import sessions as session_ops
from bascule.operations.campaign import school_name
from bascule.web.access import home_path
from bascule.web.forms import FormError
from bascule.web.pages.account import (
    EXPIRED_FORM,
    PREAUTH,
    preauth_valid,
    session_cookie,
    sign_in_page,
    throttled,
)
from bascule.web.rendering import page
from bascule.web.requests import Console, Posted, Refused, Staff, console_of
from bascule.web.security import COOKIE

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]


@router.get("/connexion/operateur", response_class=HTMLResponse)
def operator_sign_in_form(request: Request, console: Annotated[Console, Depends(console_of)]
                          ) -> HTMLResponse:
    return sign_in_page(request, console, operator=True)


@router.post("/connexion/operateur")
def operator_sign_in(request: Request, console: Annotated[Console, Depends(console_of)],
                     identifiant: Field, mot_de_passe: Field,
                     csrf: Annotated[str | None, Form()] = None,
                     etablissement: Annotated[str | None, Form()] = None) -> Response:
    """Signed in, the operator looks first at the school chosen in the form (the console's
    only one, or its first when none was chosen)."""
    typed = (identifiant, etablissement or "")
    if not preauth_valid(request, csrf):
        return sign_in_page(request, console, status=403, typed=typed, error=EXPIRED_FORM,
                            operator=True)
    school = etablissement if etablissement in console.schools else console.schools[0]
    try:
        found = throttled(console, request, f"opérateur:{identifiant}",
                          lambda: operator_ops.sign_in_operator(console.settings, identifiant,
                                                                mot_de_passe))
    except Refused as exc:
        return sign_in_page(request, console, status=exc.status, typed=typed,
                            error=FormError(exc.message, exc.hint), operator=True)
    cookie, session = session_ops.open_operator_console(console.settings, found, school,
                                                        now=console.clock())
    response = RedirectResponse(home_path(session.person.roles), status_code=303)
    session_cookie(request, response, cookie)
    response.delete_cookie(PREAUTH)
    return response


@router.get("/etablissement", response_class=HTMLResponse)
def school_choice(request: Request, who: Staff) -> HTMLResponse:
    schools = [(uai, school_name(who.settings, uai)) for uai in who.console.schools]
    return page(request, "etablissement.html.j2", who, person=who.person, schools=schools)


@router.post("/etablissement")
def choose_school(request: Request, who: Posted, etablissement: Field) -> Response:
    """POST → 303 → the dashboard of the school chosen."""
    try:
        session_ops.choose_school(who.settings, who.console.schools,
                                  request.cookies.get(COOKIE), etablissement)
    except UserError as exc:
        raise Refused(400, exc.console_message, exc.console_hint) from exc
    return RedirectResponse(home_path(who.person.roles), status_code=303)
