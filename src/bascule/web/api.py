"""The console's REST API under /api/v1, for the département's tools: the same actions as the
pages, authenticated by a bearer token that acts as a person of the school, within its scopes;
the policy decides as for that person. Its OpenAPI document is /api/v1/openapi.json."""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from bascule.domain.access import CLOSED_PROFILES
from bascule.errors import UserError
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.operations import verification as verify_ops
from bascule.settings import Settings
from bascule.store.people import Person
from bascule.verification.model import counts
from bascule.web.runs import ApplyRuns
from bascule.web.security import TOO_MANY_RESETS, Throttle


class Error(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "Corps de la requête illisible (JSON invalide)."},
    401: {"model": Error, "description": "Jeton manquant, inconnu, retiré, ou titulaire inactif."},
    403: {"model": Error, "description": "Refusé : portée du jeton ou politique de "
                                         "l'établissement (le motif est dans detail)."},
    429: {"model": Error, "description": "Trop de réinitialisations en peu de temps."},
}


class Caller(NamedTuple):
    """Who a token acts as, in which school."""

    person: Person
    school: str


class Account(BaseModel):
    login: str | None
    educonnect: str | None
    profile: str
    status: str
    last_name: str
    first_name: str
    division: str | None


class NewPassword(BaseModel):
    login: str
    password: str


class PlanState(BaseModel):
    pending: bool
    sha256: str | None = None
    approved_by: str | None = None
    counts: dict[str, int] = {}


class Approval(BaseModel):
    empreinte: str


class Closure(BaseModel):
    profil: str
    ouvrir: bool


class Verification(BaseModel):
    counts: dict[str, int]
    findings: list[dict[str, object]]


class Application(BaseModel):
    empreinte: str
    confirmer_departs: bool = False


class Campaign(BaseModel):
    annee: str
    importe_le: datetime
    empreinte: str


class ImportState(BaseModel):
    imports: list[Campaign]
    problemes: list[str]


class Delegation(BaseModel):
    identifiant: str | None
    nom: str
    delegation: str
    accordee_par: str
    accordee_le: datetime
    a_renouveler: bool


class StructureReset(BaseModel):
    code: str  # a division or a group
    reimpression: bool = False  # only those still on their initial password


class DelegationChange(BaseModel):
    identifiant: str
    delegation: str
    accorder: bool


def _known_query_parameters_only(request: Request) -> None:
    """A script's misspelt parameter (?qq=martin) is refused, not silently ignored: only
    those the OpenAPI document declares for the operation are accepted."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    operation = request.app.openapi()["paths"][route.path][request.method.lower()]
    known = {param["name"] for param in operation.get("parameters", ())
             if param["in"] == "query"}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "input": request.query_params[name],
             "msg": "Paramètre inconnu de cette opération."} for name in unknown])


def api_router(settings: Settings, schools: Sequence[str], clock: Callable[[], datetime],
               runs: Mapping[str, ApplyRuns], resets: Throttle) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["bascule"], responses=ERRORS,
                       dependencies=[Depends(_known_query_parameters_only)])
    bearer = HTTPBearer(auto_error=False)

    def caller(scope: str) -> Callable[..., Caller]:
        def check(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(bearer)]) -> Caller:
            if credentials is None:
                raise HTTPException(401, "Jeton d'API manquant (Authorization: Bearer …).")
            try:
                school, person, scopes = school_ops.api_caller(settings, schools,
                                                               credentials.credentials)
            except UserError as exc:
                raise HTTPException(401, exc.message) from exc
            if scope not in scopes:
                raise HTTPException(403, f"Ce jeton n'a pas la portée « {scope} ».")
            return Caller(person, school)
        return check

    def refused(exc: UserError) -> HTTPException:
        return HTTPException(403, exc.message)

    @router.get("/sante")
    def health() -> dict[str, str]:
        """For the département's monitoring: the console answers (no token, nothing read)."""
        return {"etat": "ok"}

    @router.get("/comptes", response_model=list[Account])
    def accounts(who: Annotated[Caller, Depends(caller("lecture"))], q: str = "") -> list[Account]:
        found = (school_ops.search_accounts(settings, who.school, q, limit=500) if q.strip()
                 else campaign.accounts(settings, who.school)[:500])
        return [Account(login=row.login, educonnect=row.educonnect, profile=row.profile,
                        status=row.status, last_name=row.last_name, first_name=row.first_name,
                        division=row.division) for row in found]

    @router.post("/comptes/{login}/reinitialisation", response_model=NewPassword)
    def reset(login: str, who: Annotated[Caller, Depends(caller("mots-de-passe"))]
              ) -> NewPassword:
        if not resets.admit(f"{who.school}:{who.person.login}"):
            raise HTTPException(429, TOO_MANY_RESETS)
        try:
            subject, password = school_ops.reset_password(settings, who.school, login,
                                                          by=who.person.login, now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return NewPassword(login=subject.login, password=password)

    @router.get("/plan", response_model=PlanState)
    def plan(who: Annotated[Caller, Depends(caller("lecture"))]) -> PlanState:
        waiting = school_ops.pending(settings, who.school)
        if waiting is None:
            return PlanState(pending=False)
        return PlanState(pending=True, sha256=waiting.approval.content_sha256,
                         approved_by=waiting.approval.approved_by,
                         counts=dict(Counter(a.kind.value for a in waiting.plan.actions)))

    @router.post("/plan/approbation", response_model=PlanState)
    def approve(body: Approval, who: Annotated[Caller, Depends(caller("plan"))]) -> PlanState:
        try:
            school_ops.approve_plan(settings, who.school, body.empreinte, by=who.person.login,
                                    now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return plan(who)

    @router.post("/plan/application", status_code=202)
    def apply(body: Application, who: Annotated[Caller, Depends(caller("plan"))]
              ) -> dict[str, object]:
        """Starts applying the approved plan of this hash; its progress is GET
        /plan/application."""
        try:
            return runs[who.school].start(body.empreinte, by=who.person.login,
                              allow_mass_leave=body.confirmer_departs).as_json()
        except UserError as exc:
            raise refused(exc) from exc

    @router.get("/plan/application")
    def apply_progress(who: Annotated[Caller, Depends(caller("lecture"))]) -> dict[str, object]:
        return runs[who.school].progress.as_json()

    @router.get("/imports", response_model=ImportState)
    def imports(who: Annotated[Caller, Depends(caller("lecture"))]) -> ImportState:
        staged = [c for c in campaign.campaigns(settings) if c.uai == who.school]
        return ImportState(
            imports=[Campaign(annee=str(c.school_year), importe_le=c.staged_at,
                              empreinte=c.content_sha256) for c in staged],
            problemes=[p.message for p in school_ops.import_problems(settings, who.school)])

    @router.get("/delegations", response_model=list[Delegation])
    def delegations(who: Annotated[Caller, Depends(caller("lecture"))]) -> list[Delegation]:
        return [Delegation(identifiant=row.login, nom=row.label, delegation=row.name,
                           accordee_par=row.granted_by, accordee_le=row.granted_at,
                           a_renouveler=row.to_renew)
                for row in school_ops.delegations(settings, who.school)]

    @router.post("/delegations")
    def change_delegation(body: DelegationChange,
                          who: Annotated[Caller, Depends(caller("pilotage"))]
                          ) -> dict[str, object]:
        try:
            subject, changed = school_ops.change_delegation(
                settings, who.school, body.identifiant, body.delegation, by=who.person.login,
                now=clock(), granted=body.accorder)
        except UserError as exc:
            raise refused(exc) from exc
        return {"identifiant": subject.login, "delegation": body.delegation,
                "accordee": body.accorder, "change": changed}

    @router.post("/reinitialisations", response_class=FileResponse,
                 responses={200: {"content": {"application/pdf": {}},
                                  "description": "Les fiches, une par élève."}})
    def reset_structure(body: StructureReset,
                        who: Annotated[Caller, Depends(caller("mots-de-passe"))]
                        ) -> FileResponse:
        """A whole division or group at once (or the re-print of those still on their initial
        password): new passwords, and the PDF of their slips."""
        if not resets.admit(f"{who.school}:{who.person.login}"):
            raise HTTPException(429, TOO_MANY_RESETS)
        try:
            done = school_ops.reset_structure(settings, who.school, body.code, by=who.person.login,
                                              now=clock(), initial_only=body.reimpression)
        except UserError as exc:
            raise refused(exc) from exc
        return FileResponse(done.slips, media_type="application/pdf", filename=done.slips.name)

    @router.get("/fermeture")
    def closure_state(who: Annotated[Caller, Depends(caller("lecture"))]) -> dict[str, object]:
        """The rentrée closure: its window, and whether each profile may enter the ENT now."""
        now = clock()
        window = school_ops.closure_window(settings, who.school, now=now)
        return {"debut": window.start.isoformat() if window else None,
                "fin": window.end.isoformat() if window and window.end else None,
                "profils": {profile: {"ouvert": state.allowed, "motif": state.reason}
                            for profile in CLOSED_PROFILES
                            for state in [school_ops.profile_access(settings, who.school, profile,
                                                                    now=now)]}}

    @router.post("/fermeture")
    def closure(body: Closure, who: Annotated[Caller, Depends(caller("pilotage"))]
                ) -> dict[str, object]:
        try:
            school_ops.set_closure(settings, who.school, body.profil, reopen=body.ouvrir,
                                   by=who.person.login, now=clock())
            state = school_ops.profile_access(settings, who.school, body.profil, now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return {"profil": body.profil, "ouvert": state.allowed, "motif": state.reason}

    @router.get("/verification", response_model=Verification)
    def verification(who: Annotated[Caller, Depends(caller("lecture"))]) -> Verification:
        result = verify_ops.run_verification(settings, who.school, now=clock())
        return Verification(counts=counts(result.findings),
                            findings=[f.as_json() for f in result.findings])

    return router
