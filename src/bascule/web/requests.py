"""What every request of the console goes through, in one place: the console's state (settings,
schools served, clock, sessions, throttles, apply runs), who is signed in to which school, the
CSRF check of a form, the policy's decision, and a refusal turned into a French page.

Page routers ask for these as FastAPI dependencies (`Who`, `Staff`, `Posted`) and call
`require` and `refusal`; API routers ask for a token's scope (`Reader`, `Planner`, ...) and call
`api_refusal`. A check every request must pass belongs here (in `signed_in`, `posted` or
`caller`), not in a route."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bascule.domain.policy import STAFF_PROFILES, Permission, Subject, decide
from bascule.errors import UserError
from bascule.operations import school as school_ops
from bascule.operations.school import Person
from bascule.settings import Settings
from bascule.web.runs import ApplyRuns
from bascule.web.security import COOKIE, TOO_MANY_RESETS, Session, Sessions, Throttle, csrf_valid

FIRST_SIGN_IN_PATHS = ("/mon-compte", "/deconnexion")  # all one may reach on a printed password


@dataclass(frozen=True, slots=True, kw_only=True)
class Console:
    """One console's state, shared by its pages and its API (`app.state.console`)."""

    settings: Settings
    schools: tuple[str, ...]  # the UAIs this console serves
    clock: Callable[[], datetime]
    sessions: Sessions
    sign_ins: Throttle  # failed sign-ins, per login and per address
    resets: Throttle  # passwords reset, per person
    runs: Mapping[str, ApplyRuns]  # per school


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


@contextmanager
def refusal(status: int = 403) -> Iterator[None]:
    """A school operation's French refusal becomes the page's, with this status."""
    try:
        yield
    except UserError as exc:
        raise Refused(status, exc.message, exc.hint) from exc


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

    def reset_admitted(self) -> bool:
        """Counts a password reset by this person; False in a burst (a stolen session or token
        cannot lock a school out). A login is unique in its school only."""
        return self.console.resets.admit(f"{self.school}:{self.person.login}")


@dataclass(frozen=True, slots=True)
class SignedIn(Actor):
    """Who made a page's request, signed in with this session."""

    session: Session

    def admit_reset(self) -> None:
        if not self.reset_admitted():
            raise Refused(429, TOO_MANY_RESETS)


def signed_in(request: Request, console: Annotated[Console, Depends(console_of)]) -> SignedIn:
    """Who is signed in, to which school; read again from the store on every request."""
    session = console.sessions.read(request.cookies.get(COOKIE))
    if session is None or session.uai not in console.schools:
        raise NotSignedIn(401, "Connectez-vous d'abord.", "Page Connexion.")
    try:
        person = school_ops.current_person(console.settings, session.uai, session.login)
    except UserError as exc:
        raise Refused(401, exc.message) from exc
    if person.status != "active":
        raise Refused(403, "Ce compte n'est plus actif.")
    if person.must_change_password and request.url.path not in FIRST_SIGN_IN_PATHS:
        raise MustChangePassword()
    return SignedIn(console, person, session.uai, session)


Who = Annotated[SignedIn, Depends(signed_in)]


def staff(who: Who) -> SignedIn:
    """Signed in as staff: élèves and responsables have their own page only."""
    if who.person.profile not in STAFF_PROFILES:
        raise Refused(403, "Cette page est réservée aux personnels.")
    return who


def posted(who: Who, csrf: Annotated[str | None, Form()] = None) -> SignedIn:
    """Signed in, and the form's CSRF token is the session's."""
    if not csrf_valid(who.session, csrf):
        raise Refused(403, "Formulaire expiré ou venu d'ailleurs : rien n'a été fait.",
                      "Rechargez la page et recommencez.")
    return who


Staff = Annotated[SignedIn, Depends(staff)]
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
    """The dependency admitting a token that holds this scope: the person it acts as."""
    def check(console: Annotated[Console, Depends(console_of)],
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
              ) -> Actor:
        if credentials is None:
            raise HTTPException(401, "Jeton d'API manquant (Authorization: Bearer …).")
        try:
            school, person, scopes = school_ops.api_caller(
                console.settings, console.schools, credentials.credentials, now=console.clock())
        except UserError as exc:
            raise HTTPException(401, exc.message) from exc
        if scope not in scopes:
            raise HTTPException(403, f"Ce jeton n'a pas la portée « {scope} ».")
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


def api_reset_admitted(who: Actor) -> None:
    if not who.reset_admitted():
        raise HTTPException(429, TOO_MANY_RESETS)
