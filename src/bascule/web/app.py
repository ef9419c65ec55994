"""The console's pages: sign-in, dashboard, the password tool, Pilotage > Fermeture rentrée, and
the self-service page of élèves and responsables. Every action goes through school_ops, which
asks the policy: a button the policy would refuse is not shown, and a forged request is refused
the same."""

import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain.access import CLOSED_PROFILES
from bascule.domain.calendar import allowed_at, rentree_year_of
from bascule.domain.notices import AUDIENCES, notices
from bascule.domain.policy import DELEGATIONS, STAFF_PROFILES, Permission, Subject, decide
from bascule.domain.school import describe_moment
from bascule.errors import UserError
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.operations import spaces as spaces_ops
from bascule.operations import verification as verify_ops
from bascule.operations.calendars import load_calendar
from bascule.plan.model import ActionKind
from bascule.settings import load_settings
from bascule.spaces.usage import human_size
from bascule.store.audit import AuditFilter
from bascule.store.people import Person
from bascule.verification.model import counts
from bascule.web.api import api_router
from bascule.web.runs import ApplyRuns
from bascule.web.security import (
    COOKIE,
    HEADERS,
    RESETS,
    RESETS_SECONDS,
    TOO_MANY_RESETS,
    Session,
    Sessions,
    Throttle,
    csrf_valid,
    session_key,
)

PREAUTH = "bascule_preauth"
FIRST_SIGN_IN_PATHS = ("/mon-compte", "/deconnexion")  # all one may reach on a printed password
PLAN_DETAILS = 300  # actions listed one by one on the Plan page; the counts cover them all
_templates = Environment(loader=PackageLoader("bascule", "templates/web"),
                         autoescape=select_autoescape(default=True), trim_blocks=True,
                         lstrip_blocks=True)
_templates.globals["describe"] = describe_moment  # every date shown in the school's time
_templates.globals["action_label"] = lambda name: (
    ActionKind(name).label if name in {kind.value for kind in ActionKind} else name)


@contextmanager
def refusal(status: int = 403) -> Iterator[None]:
    """A school operation's French refusal becomes the page's, with this status."""
    try:
        yield
    except UserError as exc:
        raise Refused(status, exc.message, exc.hint) from exc


class MustChangePassword(Exception):
    """Signed in on a printed password: nothing but choosing one's own until it is done."""


class Refused(Exception):
    """A request the console answers with a French page and this status."""

    def __init__(self, status: int, message: str, hint: str = ""):
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


class NotSignedIn(Refused):
    """No valid session: a page asked for is sent to the sign-in, a form is refused."""


# The console's pages for staff, each with the permission that shows it in the menu (None: all
# staff); the pages themselves ask the policy again.
_PAGES: tuple[tuple[str, str, Permission | None], ...] = (
    ("/", "Tableau de bord", None),
    ("/plan", "Plan", None),
    ("/mots-de-passe", "Mots de passe", None),
    ("/comptes", "Comptes", None),
    ("/pilotage/fermeture", "Fermeture rentrée", Permission.TOGGLE_ENT_CLOSURE),
    ("/pilotage/autorisations", "Autorisations", None),
    ("/verification", "Vérification", None),
    ("/espaces", "Espaces", None),
    ("/calendrier", "Calendrier", None),
    ("/journal", "Journal", Permission.READ_AUDIT),
)


def _menu(person: Person | None) -> list[tuple[str, str]]:
    """The links a person sees: none before their own password is chosen, only their own
    page for élèves and responsables."""
    if person is None or person.must_change_password or person.profile not in STAFF_PROFILES:
        return []
    return [(path, label) for path, label, permission in _PAGES
            if permission is None or decide(person.roles, permission).allowed]


def create_app(home: Path, *, uai: str | None = None,
               clock: Callable[[], datetime] = campaign.utc_now) -> FastAPI:
    settings = load_settings(home)
    schools = [campaign.school_uai(settings, uai)] if uai else sorted(settings.uais)
    school_ops.serve_from_store(settings)
    sessions = Sessions(session_key(settings.home / "secrets"))
    throttle = Throttle()
    # A burst of resets is stopped: a stolen session or token cannot lock a school out.
    resets = Throttle(RESETS, RESETS_SECONDS)

    def reset_allowed(person: Person, school: str) -> None:
        if not resets.admit(f"{school}:{person.login}"):  # a login is unique in its school
            raise Refused(429, TOO_MANY_RESETS)

    app = FastAPI(title="bascule", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    runs = {school: ApplyRuns(settings, school, clock) for school in schools}
    app.include_router(api_router(settings, schools, clock, runs, resets))
    app.mount("/static", StaticFiles(packages=[("bascule.web", "static")]), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    @app.exception_handler(MustChangePassword)
    async def must_change(request: Request, exc: MustChangePassword) -> RedirectResponse:
        return RedirectResponse("/mon-compte", status_code=303)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.method == "GET":
            return RedirectResponse("/connexion", status_code=303)
        return await refused(request, exc)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> HTMLResponse:
        return page("message.html.j2", request, None, status=exc.status, title="Refusé",
                    message=exc.message, hint=exc.hint)

    def page(template: str, request: Request, session: Session | None, *, status: int = 200,
             **values: Any) -> HTMLResponse:
        school = session.uai if session else schools[0] if len(schools) == 1 else None
        html = _templates.get_template(template).render(
            school=campaign.school_name(settings, school) if school else "bascule", uai=school,
            session=session, secure=request.url.scheme == "https",
            menu=_menu(values.get("person")), **values)
        return HTMLResponse(html, status_code=status)

    def signed_in(request: Request) -> tuple[Session, Person, str]:
        """Who is signed in, to which school; read again from the store on every request."""
        session = sessions.read(request.cookies.get(COOKIE))
        if session is None or session.uai not in schools:
            raise NotSignedIn(401, "Connectez-vous d'abord.", "Page Connexion.")
        try:
            person = school_ops.current_person(settings, session.uai, session.login)
        except UserError as exc:
            raise Refused(401, exc.message) from exc
        if person.status != "active":
            raise Refused(403, "Ce compte n'est plus actif.")
        if person.must_change_password and request.url.path not in FIRST_SIGN_IN_PATHS:
            raise MustChangePassword()
        return session, person, session.uai

    def checked(request: Request, token: str | None,
                who: tuple[Session, Person, str]) -> tuple[Person, str]:
        """The person and their school, once the form's CSRF token is the session's."""
        if not csrf_valid(who[0], token):
            raise Refused(403, "Formulaire expiré ou venu d'ailleurs : rien n'a été fait.",
                          "Rechargez la page et recommencez.")
        return who[1], who[2]

    def staff_only(person: Person) -> None:
        if person.profile not in STAFF_PROFILES:
            raise Refused(403, "Cette page est réservée aux personnels.")

    Who = Annotated[tuple[Session, Person, str], Depends(signed_in)]
    Csrf = Annotated[str | None, Form()]

    @app.get("/connexion", response_class=HTMLResponse)
    def sign_in_form(request: Request) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        choices = [(school, campaign.school_name(settings, school)) for school in schools]
        response = page("connexion.html.j2", request, None, preauth=token,
                        schools=choices if len(choices) > 1 else [])
        response.set_cookie(PREAUTH, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/connexion")
    def sign_in(request: Request, identifiant: Annotated[str, Form()],
                mot_de_passe: Annotated[str, Form()], csrf: Csrf = None,
                etablissement: Annotated[str | None, Form()] = None) -> Response:
        expected = request.cookies.get(PREAUTH)
        if not (expected and csrf and secrets.compare_digest(expected, csrf)):
            raise Refused(403, "Formulaire expiré : rechargez la page de connexion.")
        school = schools[0] if len(schools) == 1 else etablissement
        if school not in schools:
            raise Refused(400, "Choisissez votre établissement dans la liste.")
        keys = (f"login:{school}:{identifiant}",
                f"ip:{request.client.host if request.client else '?'}")
        if any(throttle.blocked(key) for key in keys):
            raise Refused(429, "Trop d'essais : réessayez dans quelques minutes.")
        try:
            person = school_ops.sign_in(settings, school, identifiant, mot_de_passe,
                                        now=clock())
        except UserError as exc:
            for key in keys:
                throttle.record(key)
            raise Refused(401, exc.message, exc.hint) from exc
        for key in keys:
            throttle.forget(key)
        cookie, _session = sessions.open(person.login, school)
        target = ("/mon-compte" if person.profile not in STAFF_PROFILES
                  or person.must_change_password else "/")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=8 * 3600)
        response.delete_cookie(PREAUTH)
        return response

    @app.post("/deconnexion")
    def sign_out(request: Request, who: Who, csrf: Csrf = None) -> Response:
        checked(request, csrf, who)
        response = RedirectResponse("/connexion", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        now = clock()
        calendar = load_calendar(settings.home, rentree_year_of(now), school)
        return page("tableau.html.j2", request, session, person=person,
                    moment=describe_moment(now), allowed=allowed_at(calendar, now).labelled(),
                    phase=[m.value for m in calendar.active(now)],
                    board=school_ops.dashboard(settings, school),
                    run=runs[school].progress)

    @app.get("/mots-de-passe", response_class=HTMLResponse)
    def password_tool(request: Request, who: Who, q: str = "") -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        rows = school_ops.search_accounts(settings, school, q, limit=50, status="active")
        shown = [(row, school_ops.may_reset(
            settings, person, row.profile, row.login,
            frozenset({f"D:{row.division}"} | {f"G:{g}" for g in row.groups})))
            for row in rows]
        structures = [code for code in school_ops.structures_of_eleves(settings, school)
                      if school_ops.may_reset(settings, person, "eleve", "",
                                              frozenset({f"D:{code}", f"G:{code}"}))]
        return page("mots_de_passe.html.j2", request, session, person=person, q=q, rows=shown,
                    structures=structures)

    def slips_pdf(request: Request, who: tuple[Session, Person, str], token: str | None,
                  code: str, *, initial_only: bool) -> FileResponse:
        person, school = checked(request, token, who)
        reset_allowed(person, school)
        with refusal():
            done = school_ops.reset_structure(settings, school, code.strip(), by=person.login,
                                              now=clock(), initial_only=initial_only)
        return FileResponse(done.slips, media_type="application/pdf",
                            filename=done.slips.name)

    @app.post("/mots-de-passe/structure")
    def reset_structure(request: Request, who: Who, code: Annotated[str, Form()],
                        csrf: Csrf = None) -> FileResponse:
        """A whole division or group at once: new passwords, one PDF of slips."""
        return slips_pdf(request, who, csrf, code, initial_only=False)

    @app.post("/comptes/reimpression")
    def reprint(request: Request, who: Who, code: Annotated[str, Form()],
                csrf: Csrf = None) -> FileResponse:
        """The slips of a division's élèves still on their initial password (new ones: the
        first are kept nowhere)."""
        return slips_pdf(request, who, csrf, code, initial_only=True)

    @app.post("/mots-de-passe/reinitialiser", response_class=HTMLResponse)
    def reset(request: Request, who: Who, identifiant: Annotated[str, Form()],
              csrf: Csrf = None) -> HTMLResponse:
        person, school = checked(request, csrf, who)
        reset_allowed(person, school)
        with refusal():
            subject, password = school_ops.reset_password(settings, school, identifiant,
                                                          by=person.login, now=clock())
        return page("nouveau_mot_de_passe.html.j2", request, who[0], subject=subject,
                    password=password)

    @app.get("/pilotage/fermeture", response_class=HTMLResponse)
    def closure(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        may = decide(person.roles, Permission.TOGGLE_ENT_CLOSURE).allowed
        if not may:  # the memo: "visible seulement par le principal et le principal adjoint"
            raise Refused(403, "Pilotage > Fermeture rentrée est réservé au principal et au "
                               "principal adjoint.")
        now = clock()
        window = school_ops.closure_window(settings, school, now=now)
        states = {profile: school_ops.profile_access(settings, school, profile, now=now)
                  for profile in CLOSED_PROFILES}
        return page("fermeture.html.j2", request, session, person=person, may=may,
                    window=window, states=states,
                    running=window is not None and window.contains(now))

    @app.post("/pilotage/fermeture")
    def toggle(request: Request, who: Who, profil: Annotated[str, Form()],
               ouvrir: Annotated[str, Form()], csrf: Csrf = None) -> Response:
        person, school = checked(request, csrf, who)
        with refusal():
            school_ops.set_closure(settings, school, profil, reopen=ouvrir == "oui",
                                   by=person.login, now=clock())
        return RedirectResponse("/pilotage/fermeture", status_code=303)

    @app.get("/pilotage/autorisations", response_class=HTMLResponse)
    def delegations(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        may = decide(person.roles, Permission.MANAGE_DELEGATIONS, Subject(
            profile="enseignant")).allowed
        return page("autorisations.html.j2", request, session, person=person, may=may,
                    rows=school_ops.delegations(settings, school), names=list(DELEGATIONS))

    @app.post("/pilotage/autorisations")
    def change_delegation(request: Request, who: Who, identifiant: Annotated[str, Form()],
                          delegation: Annotated[str, Form()], accorder: Annotated[str, Form()],
                          csrf: Csrf = None) -> Response:
        person, school = checked(request, csrf, who)
        with refusal():
            school_ops.change_delegation(settings, school, identifiant.strip(), delegation,
                                         by=person.login, now=clock(),
                                         granted=accorder == "oui")
        return RedirectResponse("/pilotage/autorisations", status_code=303)

    @app.get("/comptes", response_class=HTMLResponse)
    def accounts(request: Request, who: Who, profil: str = "", division: str = "",
                 etat: str = "active") -> Response:
        session, person, school = who
        staff_only(person)
        rows = [row for row in campaign.accounts(settings, school)
                if (not profil or row.profile == profil)
                and (not division or row.division == division)
                and (not etat or row.status == etat)]
        if request.query_params.get("format") == "csv":
            attachment = f'attachment; filename="comptes-{school}.csv"'
            return Response(("\ufeff" + school_ops.accounts_csv(rows)).encode("utf-8"),
                            media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": attachment})
        initial = sum(row.initial_password and row.status == "active" for row in rows)
        return page("comptes.html.j2", request, session, person=person, rows=rows[:500],
                    total=len(rows), profil=profil, division=division, etat=etat,
                    initial=initial)

    @app.get("/journal", response_class=HTMLResponse)
    def journal(request: Request, who: Who, action: str = "", acteur: str = "") -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        if not decide(person.roles, Permission.READ_AUDIT).allowed:
            raise Refused(403, "Le journal est réservé à la direction et aux opérateurs.")
        entries = school_ops.audit(settings, school, AuditFilter(
            action=action or None, actor=acteur or None, limit=300))
        return page("journal.html.j2", request, session, person=person, entries=entries,
                    action=action, acteur=acteur)

    @app.get("/calendrier", response_class=HTMLResponse)
    def calendar_page(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        now = clock()
        calendar = load_calendar(settings.home, rentree_year_of(now), school)
        steps = [(m.value, describe_moment(s.start), describe_moment(s.end) if s.end else "")
                 for m, s in calendar.spans.items()]
        return page("calendrier.html.j2", request, session, person=person, steps=steps,
                    notices=notices(calendar, now), audiences=AUDIENCES)

    @app.get("/plan", response_class=HTMLResponse)
    def plan_page(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        waiting = school_ops.pending(settings, school)
        actions = waiting.plan.actions if waiting else ()
        people = [a for a in actions if a.person_kind is not None]
        return page("plan.html.j2", request, session, person=person, waiting=waiting,
                    counts=sorted(Counter((a.kind.value, a.profile) for a in actions).items()),
                    divisions=sorted(Counter((a.division or "—", a.kind.value)
                                             for a in people).items()),
                    details=people[:PLAN_DETAILS], more=max(0, len(people) - PLAN_DETAILS),
                    may=decide(person.roles, Permission.APPROVE_PLAN).allowed,
                    may_apply=decide(person.roles, Permission.APPLY_APPROVED_PLAN).allowed,
                    run=runs[school].progress)

    @app.post("/plan/approuver")
    def approve_plan(request: Request, who: Who, empreinte: Annotated[str, Form()],
                     csrf: Csrf = None) -> Response:
        person, school = checked(request, csrf, who)
        with refusal():
            school_ops.approve_plan(settings, school, empreinte, by=person.login, now=clock())
        return RedirectResponse("/plan", status_code=303)

    @app.post("/plan/appliquer")
    def apply_plan(request: Request, who: Who, empreinte: Annotated[str, Form()],
                   confirmer_departs: Annotated[str, Form()] = "", csrf: Csrf = None
                   ) -> Response:
        person, school = checked(request, csrf, who)
        with refusal():
            runs[school].start(empreinte, by=person.login,
                               allow_mass_leave=confirmer_departs == "oui")
        return RedirectResponse("/plan/application", status_code=303)

    @app.get("/plan/application", response_class=HTMLResponse)
    def apply_progress(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        return page("application.html.j2", request, session, person=person,
                    run=runs[school].progress)

    @app.get("/verification", response_class=HTMLResponse)
    def verification(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        result = verify_ops.run_verification(settings, school, now=clock())
        return page("verification.html.j2", request, session, person=person,
                    findings=result.findings, totals=counts(result.findings))

    @app.get("/espaces", response_class=HTMLResponse)
    def spaces(request: Request, who: Who) -> HTMLResponse:
        session, person, school = who
        staff_only(person)
        usages = sorted(spaces_ops.spaces_usage(settings, school, now=clock()),
                        key=lambda u: (-(u.fraction or 0), u.space.relative))
        return page("espaces.html.j2", request, session, person=person, usages=usages,
                    human=human_size)

    @app.get("/mon-compte", response_class=HTMLResponse)
    def my_account(request: Request, who: Who) -> HTMLResponse:
        return page("mon_compte.html.j2", request, who[0], person=who[1], done=False)

    @app.post("/mon-compte", response_class=HTMLResponse)
    def change_password(request: Request, who: Who, actuel: Annotated[str, Form()],
                        nouveau: Annotated[str, Form()], confirmation: Annotated[str, Form()],
                        csrf: Csrf = None) -> HTMLResponse:
        person, school = checked(request, csrf, who)
        if nouveau != confirmation:
            raise Refused(400, "Les deux saisies du nouveau mot de passe diffèrent.")
        with refusal(400):
            school_ops.change_own_password(settings, school, person.login, current=actuel,
                                           new=nouveau, now=clock())
        return page("mon_compte.html.j2", request, who[0],
                    person=school_ops.current_person(settings, school, person.login), done=True)

    for route in app.routes:  # the OpenAPI document describes the API, not the pages
        if isinstance(route, APIRoute) and not route.path.startswith("/api/"):
            route.include_in_schema = False
    return app


