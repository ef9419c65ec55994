"""Sign-in, sign-out and Mon compte (one's own password; all élèves and responsables see). The
operators' sign-in (web/pages/operators.py) shares the form, its token and the throttle."""

import secrets
from collections.abc import Callable
from math import ceil
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.errors import UserError
from bascule.operations import school as school_ops
from bascule.operations import sessions as session_ops
from bascule.operations.campaign import school_name
from bascule.operations.school import Person
from bascule.web.access import home_path
from bascule.web.forms import FormError
from bascule.web.rendering import page
from bascule.web.requests import Console, Posted, Refused, Who, console_of
from bascule.web.security import COOKIE

PREAUTH = "bascule_preauth"  # the sign-in form's own CSRF cookie, before any session
router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
T = TypeVar("T")


@router.get("/connexion", response_class=HTMLResponse)
def sign_in_form(request: Request, console: Annotated[Console, Depends(console_of)]
                 ) -> HTMLResponse:
    return sign_in_page(request, console)


def sign_in_page(request: Request, console: Console, *, status: int = 200,
                 error: FormError | None = None, typed: tuple[str, str] = ("", ""),
                 operator: bool = False) -> HTMLResponse:
    """The sign-in form (`operator`: the département's operators', web/pages/operators.py);
    after a refusal, its reason in the form and the identifiant and school typed kept (never
    the password), with the same token as long as the browser holds one."""
    token = (request.cookies.get(PREAUTH) if error else None) or secrets.token_urlsafe(24)
    choices = [(school, school_name(console.settings, school)) for school in console.schools]
    response = page(request, "connexion.html.j2", status=status, preauth=token,
                    schools=choices if len(choices) > 1 else [], error=error,
                    identifiant=typed[0], chosen=typed[1], operator=operator)
    response.set_cookie(PREAUTH, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


def throttled(console: Console, request: Request, login_key: str,
              check: Callable[[], T]) -> T:
    """Whom `check` signs in (a school person, an operator), throttled per (login, address) and
    per address with growing delays (web/security.py): an attacker elsewhere locks nobody
    out. Refused: 429 while waiting, 401 for credentials `check` refuses."""
    address = request.client.host if request.client else "?"
    wait = console.sign_ins.wait(login_key, address)
    if wait:
        raise Refused(429, f"Trop d'essais : réessayez dans {ceil(wait)} seconde(s).")
    try:
        found = check()
    except UserError as exc:
        console.sign_ins.failed(login_key, address)
        raise Refused(401, exc.console_message, exc.console_hint) from exc
    console.sign_ins.succeeded(login_key, address)
    return found


def _checked_person(console: Console, request: Request, school: str, login: str,
                    password: str) -> Person:
    # A login is unique in its school only; « AOCONNOR » and « aoconnor » are throttled alike.
    return throttled(console, request, f"{school}:{login.strip().lower()}",
                     lambda: school_ops.sign_in(console.settings, school, login, password,
                                                now=console.clock()))


def preauth_valid(request: Request, csrf: str | None) -> bool:
    """The sign-in form's token is the one its page set in the browser."""
    expected = request.cookies.get(PREAUTH)
    return bool(expected and csrf and secrets.compare_digest(expected, csrf))


EXPIRED_FORM = FormError("Formulaire expiré : rien n'a été envoyé.",
                         "Saisissez de nouveau votre mot de passe ci-dessous.")


def session_cookie(request: Request, response: Response, cookie: str) -> None:
    """The session's id (the store keeps the session): HttpOnly, SameSite=Strict, Secure
    behind TLS."""
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https",
                        max_age=session_ops.SESSION_SECONDS)


@router.post("/connexion")
def sign_in(request: Request, console: Annotated[Console, Depends(console_of)],
            identifiant: Field, mot_de_passe: Field, csrf: Annotated[str | None, Form()] = None,
            etablissement: Annotated[str | None, Form()] = None) -> Response:
    typed = (identifiant, etablissement or "")
    if not preauth_valid(request, csrf):
        return sign_in_page(request, console, status=403, typed=typed, error=EXPIRED_FORM)
    school = console.schools[0] if len(console.schools) == 1 else etablissement
    if school not in console.schools:
        return sign_in_page(request, console, status=400, typed=typed, error=FormError(
            "Choisissez votre établissement dans la liste.", field="etablissement"))
    try:
        person = _checked_person(console, request, school, identifiant, mot_de_passe)
    except Refused as exc:
        return sign_in_page(request, console, status=exc.status, typed=typed,
                             error=FormError(exc.message, exc.hint))
    target = "/mon-compte" if person.must_change_password else home_path(person.roles)
    response = RedirectResponse(target, status_code=303)
    cookie, _session = session_ops.open_session(console.settings, school, person,
                                                now=console.clock())
    session_cookie(request, response, cookie)
    response.delete_cookie(PREAUTH)
    return response


@router.post("/deconnexion")
def sign_out(request: Request, who: Posted) -> Response:
    """The session ends in the store: its cookie, wherever it was copied, is worth nothing."""
    session_ops.end_session(who.settings, request.cookies.get(COOKIE), now=who.now())
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/mon-compte", response_class=HTMLResponse)
def my_account(request: Request, who: Who, fait: str = "") -> HTMLResponse:
    """`fait`: the slot the password change left (read once: a reload does not say it again)."""
    done = bool(fait) and who.console.slots.take(who.owner, fait) is not None
    return page(request, "mon_compte.html.j2", who, person=who.person, done=done)


@router.post("/mon-compte")
def change_password(request: Request, who: Posted, actuel: Field, nouveau: Field,
                    confirmation: Field) -> Response:
    """A refusal is shown in the form (the passwords typed are never sent back); done, a
    redirect (POST → 303 → GET)."""
    if nouveau != confirmation:
        return page(request, "mon_compte.html.j2", who, status=400, person=who.person,
                    done=False, error=FormError("Les deux saisies du nouveau mot de passe "
                                                "diffèrent : rien n'a changé.",
                                                field="confirmation"))
    try:
        school_ops.change_own_password(who.settings, who.school, who.person.login,
                                       current=actuel, new=nouveau, now=who.now())
    except UserError as exc:
        return page(request, "mon_compte.html.j2", who, status=400, person=who.person,
                    done=False, error=FormError.of(exc))
    # The change ended every session of the person (a thief's too): this browser gets a new one.
    person = school_ops.current_person(who.settings, who.school, who.person.login)
    cookie, _session = session_ops.open_session(who.settings, who.school, person,
                                                now=who.now(), replacing=who.session)
    done = who.console.slots.put(who.owner, True)
    answer = RedirectResponse(f"/mon-compte?fait={done}", status_code=303)
    session_cookie(request, answer, cookie)
    return answer
