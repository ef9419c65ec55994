"""What every request of the console goes through, in one place: the console's state (settings,
schools served, clock, sessions, throttles, apply runs), who is signed in to which school, the
CSRF check of a form, the policy's decision, and the refusals (`Refused`, which app.py's
handler renders as a French page; for the API, an HTTPException with its JSON detail).

Page routers ask for these as FastAPI dependencies (`Who`, `Staff`, `Posted`) and call
`require` and `refusal`; API routers ask for a token's scope (`Reader`, `Planner`, ...) and call
`api_refusal`. A check every request must pass belongs here (in `signed_in`, `posted` or
`caller`), not in a route: the session (kept in the store, ended at once when it must be), the
person read afresh and let in (active account, rentrée closure), and the gate of the page or
operation (web/access.py: the permission the policy must grant, the token's scope)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bascule.domain.policy import Permission, Subject, decide
from bascule.errors import NotAllowed, NotFound, UserError
from bascule.operations import school as school_ops
from bascule.operations import sessions as session_ops
from bascule.operations.school import Person
from bascule.operations.sessions import Session, SignedOut
from bascule.settings import Settings
from bascule.web.access import Gate, gate_of, home_path, passes
from bascule.web.runs import ApplyRuns
from bascule.web.security import COOKIE, SignInThrottle, Throttle, csrf_valid, too_many_resets
from bascule.web.slots import Slots

FIRST_SIGN_IN_PATHS = ("/mon-compte", "/deconnexion")  # all one may reach on a printed password


@dataclass(frozen=True, slots=True, kw_only=True)
class Console:
    """One console's state, shared by its pages and its API (`app.state.console`)."""

    settings: Settings
    schools: tuple[str, ...]  # the UAIs this console serves
    clock: Callable[[], datetime]
    sign_ins: SignInThrottle  # failed sign-ins, per (login, address) and per address
    resets: Throttle  # passwords reset, per person, each one of a whole division counted
    bulk_resets: Throttle  # the RRUPN's and the direction's resets inside whole divisions
    runs: Mapping[str, ApplyRuns]  # per school
    slots: Slots  # what a form produced, for the page it redirects to (read once)


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


class Refused(Exception):
    """A request the console answers with a French page and this status."""

    def __init__(self, status: int, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


class NotSignedIn(Refused):
    """No valid session: a page asked for is sent to the sign-in, a form is refused."""


class MustChangePassword(Exception):
    """Signed in on a printed password: nothing but choosing one's own until it is done."""


class GoHome(Exception):
    """The dashboard asked by someone whose pages are elsewhere (a teacher: Mots de passe)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


@contextmanager
def refusal(status: int = 403) -> Iterator[None]:
    """A school operation's French refusal becomes the page's, with this status (403 for the
    policy's refusals, whatever `status` says)."""
    try:
        yield
    except NotFound as exc:  # a mistyped login: not a refusal
        raise Refused(404, exc.console_message, exc.console_hint) from exc
    except UserError as exc:
        denied = isinstance(exc, NotAllowed)
        raise Refused(403 if denied else status, exc.console_message,
                      exc.console_hint) from exc


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting on their school through this console: signed in to a page, or holding
    an API token."""

    console: Console
    person: Person  # read again from the store on this request
    school: str  # UAI

    @property
    def settings(self) -> Settings:
        return self.console.settings

    def now(self) -> datetime:
        return self.console.clock()

    def may(self, permission: Permission, subject: Subject | None = None) -> bool:
        """The policy's answer for this person (domain/policy.py decides, nobody else)."""
        return decide(self.person.roles, permission, subject).allowed

    @property
    def owner(self) -> str:
        """Whom throttles and slots count for (a login is unique in its school only)."""
        return f"{self.school}:{self.person.login}"

    def reset_refusal(self, count: int = 1, *, bulk: bool = False) -> str | None:
        """Counts `count` password resets by this person (a whole division's, each one), all
        or none; the refusal's French text in a burst (a stolen session or token cannot lock
        a school out). The RRUPN's and the direction's whole divisions count against their
        own, larger allowance (web/security.py BULK_RESETS; the policy's RESET_IN_BULK)."""
        throttle = (self.console.bulk_resets if bulk and self.may(Permission.RESET_IN_BULK)
                    else self.console.resets)
        remaining = throttle.remaining(self.owner)
        return None if throttle.admit(self.owner, count) else too_many_resets(count, remaining)


@dataclass(frozen=True, slots=True)
class SignedIn(Actor):
    """Who made a page's request, signed in with this session."""

    session: Session

    def admit_resets(self, count: int = 1, *, bulk: bool = False) -> None:
        refused = self.reset_refusal(count, bulk=bulk)
        if refused:
            raise Refused(429, refused)


def gate(request: Request) -> Gate | None:
    """The gate of the route this request reached (web/access.py); None: a route the table
    does not name, refused."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return None
    return gate_of(request.method, request.url.path, route.path)


def _policy_refusal(person: Person, permission: Permission) -> str:
    return f"Refusé : {decide(person.roles, permission).reason}"


def signed_in(request: Request, console: Annotated[Console, Depends(console_of)]) -> SignedIn:
    """Who is signed in, to which school: the session is the store's, its person is read and
    let in afresh (active account, rentrée closure), and the page's gate asks the policy."""
    try:
        session = session_ops.session_of(console.settings, console.schools,
                                         request.cookies.get(COOKIE), now=console.clock())
    except SignedOut as exc:
        raise NotSignedIn(401, exc.console_message, exc.console_hint) from exc
    except UserError as exc:
        raise Refused(403, exc.console_message, exc.console_hint) from exc
    request.state.school = session.uai  # the header of a refusal's page names it
    person = session.person
    if person.must_change_password and request.url.path not in FIRST_SIGN_IN_PATHS:
        raise MustChangePassword()
    page_gate = gate(request)
    if page_gate is None or page_gate.permission is None:
        raise Refused(403, "Cette page n'est pas dans la table des permissions.")
    if not passes(page_gate, person.roles):
        if request.method == "GET" and request.url.path == "/":
            raise GoHome(home_path(person.roles))
        raise Refused(403, _policy_refusal(person, page_gate.permission))
    return SignedIn(console, person, session.uai, session)


Who = Annotated[SignedIn, Depends(signed_in)]
# Élèves and responsables are kept out of the staff's pages by the gates table (CONSULT_SCHOOL
# and the others): a staff page asks for `Staff`, which says so, and is `Who`.
Staff = Who


def posted(who: Who, csrf: Annotated[str | None, Form()] = None) -> SignedIn:
    """Signed in, and the form's CSRF token is the session's."""
    if not csrf_valid(who.session.csrf, csrf):
        raise Refused(403, "Formulaire expiré ou venu d'ailleurs : rien n'a été fait.",
                      "Rechargez la page et recommencez.")
    return who


Posted = Annotated[SignedIn, Depends(posted)]


def require(who: SignedIn, permission: Permission, refused: str) -> None:
    """The policy allows this person the permission, or the page is refused with this
    French message."""
    if not who.may(permission):
        raise Refused(403, refused)


# The API (/api/v1): a bearer token acts as a person of the school, within its scopes; a
# refusal is JSON ({"detail": ...}) with the status its OpenAPI document declares.

_bearer = HTTPBearer(auto_error=False)


def caller(scope: str) -> Callable[..., Actor]:
    """The dependency admitting a token that holds this scope (the operation's, as the gates
    table says), whose person the policy lets through the operation's gate."""
    def check(request: Request, console: Annotated[Console, Depends(console_of)],
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
              ) -> Actor:
        if credentials is None:
            raise HTTPException(401, "Jeton d'API manquant (Authorization: Bearer …).")
        try:
            school, person, scopes = school_ops.api_caller(
                console.settings, console.schools, credentials.credentials, now=console.clock())
        except UserError as exc:
            raise HTTPException(401, exc.message) from exc
        operation = gate(request)
        if operation is None or operation.permission is None or operation.token_scope != scope:
            raise HTTPException(403, "Cette opération n'est pas dans la table des permissions.")
        if scope not in scopes:
            raise HTTPException(403, f"Ce jeton n'a pas la portée « {scope} ».")
        if not passes(operation, person.roles):
            raise HTTPException(403, _policy_refusal(person, operation.permission))
        return Actor(console, person, school)
    return check


Reader = Annotated[Actor, Depends(caller("lecture"))]
PasswordResetter = Annotated[Actor, Depends(caller("mots-de-passe"))]
Planner = Annotated[Actor, Depends(caller("plan"))]
Pilot = Annotated[Actor, Depends(caller("pilotage"))]


@contextmanager
def api_refusal() -> Iterator[None]:
    """A school operation's French refusal becomes the API's 403."""
    try:
        yield
    except UserError as exc:
        raise HTTPException(403, exc.message) from exc


def api_resets_admitted(who: Actor, count: int = 1, *, bulk: bool = False) -> None:
    refused = who.reset_refusal(count, bulk=bulk)
    if refused:
        raise HTTPException(429, refused)
