"""The console's REST API under /api/v1, for the département's tools: the same actions as the
pages, authenticated by a bearer token that acts as a person of the school, within its scopes;
the policy decides as for that person. Its OpenAPI document is /api/v1/openapi.json."""

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from bascule import pipeline, school_ops, verify_ops
from bascule.directory.people import Person
from bascule.errors import UserError
from bascule.settings import Settings
from bascule.verification.model import counts


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


def api_router(settings: Settings, school: str, clock: Callable[[], datetime]) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["bascule"])
    bearer = HTTPBearer(auto_error=False)

    def caller(scope: str) -> Callable[..., Person]:
        def check(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(bearer)]) -> Person:
            if credentials is None:
                raise HTTPException(401, "Jeton d'API manquant (Authorization: Bearer …).")
            try:
                person, scopes = school_ops.api_caller(settings, school, credentials.credentials)
            except UserError as exc:
                raise HTTPException(401, exc.message) from exc
            if scope not in scopes:
                raise HTTPException(403, f"Ce jeton n'a pas la portée « {scope} ».")
            return person
        return check

    def refused(exc: UserError) -> HTTPException:
        return HTTPException(403, exc.message)

    @router.get("/comptes", response_model=list[Account])
    def accounts(_: Annotated[Person, Depends(caller("lecture"))], q: str = "") -> list[Account]:
        wanted = q.strip().lower()
        return [Account(login=row.login, educonnect=row.educonnect, profile=row.profile,
                        status=row.status, last_name=row.last_name, first_name=row.first_name,
                        division=row.division)
                for row in pipeline.accounts(settings, school)
                if wanted in " ".join(filter(None, (row.login, row.last_name, row.first_name,
                                                    row.division))).lower()][:500]

    @router.post("/comptes/{login}/reinitialisation", response_model=NewPassword)
    def reset(login: str, who: Annotated[Person, Depends(caller("mots-de-passe"))]
              ) -> NewPassword:
        try:
            subject, password = school_ops.reset_password(settings, school, login,
                                                          by=who.login, now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return NewPassword(login=subject.login, password=password)

    @router.get("/plan", response_model=PlanState)
    def plan(_: Annotated[Person, Depends(caller("lecture"))]) -> PlanState:
        waiting = school_ops.pending(settings, school)
        if waiting is None:
            return PlanState(pending=False)
        return PlanState(pending=True, sha256=waiting.approval.content_sha256,
                         approved_by=waiting.approval.approved_by,
                         counts=dict(Counter(a.kind.value for a in waiting.plan.actions)))

    @router.post("/plan/approbation", response_model=PlanState)
    def approve(body: Approval, who: Annotated[Person, Depends(caller("plan"))]) -> PlanState:
        try:
            school_ops.approve_plan(settings, school, body.empreinte, by=who.login, now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return plan(who)

    @router.post("/fermeture")
    def closure(body: Closure, who: Annotated[Person, Depends(caller("pilotage"))]
                ) -> dict[str, object]:
        try:
            school_ops.set_closure(settings, school, body.profil, reopen=body.ouvrir,
                                   by=who.login, now=clock())
            state = school_ops.profile_access(settings, school, body.profil, now=clock())
        except UserError as exc:
            raise refused(exc) from exc
        return {"profil": body.profil, "ouvert": state.allowed, "motif": state.reason}

    @router.get("/verification", response_model=Verification)
    def verification(_: Annotated[Person, Depends(caller("lecture"))]) -> Verification:
        result = verify_ops.run_verification(settings, school, now=clock())
        return Verification(counts=counts(result.findings),
                            findings=[f.as_json() for f in result.findings])

    return router
