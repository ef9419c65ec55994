"""/plan: the plan waiting for approval, its approval, and applying it (with progress)."""

from collections import Counter
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import holds as hold_ops
from bascule.operations import school as school_ops
from bascule.operations.night.holds import current_hold
from bascule.web.requests import Actor, Planner, Reader, api_refusal

router = APIRouter()


class Held(BaseModel):
    personne: str
    nom: str
    motif: str
    jusqu_au: date | None = None  # a hold put by hand: its last day


class PlanState(BaseModel):
    pending: bool
    sha256: str | None = None
    approved_by: str | None = None
    counts: dict[str, int] = {}
    retenu: bool = False  # held by a night (bascule run): nothing changes before approval
    motifs_retenue: list[str] = []  # why, in French
    retenues: list[Held] = []  # the people the plan leaves exactly as they are, and why


class Approval(BaseModel):
    empreinte: str
    # Selective acceptance: these people (login or key) are left out as holds with the
    # reason (required with them), and the plan computed again is the one approved.
    exclure: list[str] = []
    motif: str = ""
    jusqu_au: date | None = None  # the holds' last day (default: 31 August of the plan's year)


class Application(BaseModel):
    empreinte: str
    confirmer_departs: bool = False  # the deletion breaker's override, like the CLI's
    motif: str = ""  # its reason, required with it and journaled (--reason)


def _state(who: Actor) -> PlanState:
    waiting = school_ops.pending(who.settings, who.school)
    if waiting is None:
        return PlanState(pending=False)
    if waiting.plan.is_empty:  # nothing to approve; the people it holds are still said
        return PlanState(pending=False, sha256=waiting.approval.content_sha256,
                         approved_by=waiting.approval.approved_by, retenues=_held(waiting))
    held = current_hold(who.settings, who.school)
    return PlanState(pending=True, sha256=waiting.approval.content_sha256,
                     approved_by=waiting.approval.approved_by,
                     counts=dict(Counter(a.kind.value for a in waiting.plan.actions)),
                     retenu=held is not None, motifs_retenue=list(held.reasons) if held else [],
                     retenues=_held(waiting))


def _held(waiting: school_ops.PendingPlan) -> list[Held]:
    return [Held(personne=h.key, nom=h.label, motif=h.reason, jusqu_au=h.until)
            for h in waiting.plan.held]


@router.get("/plan", response_model=PlanState)
def plan(who: Reader) -> PlanState:
    return _state(who)


@router.post("/plan/approbation", response_model=PlanState)
def approve(body: Approval, who: Planner) -> PlanState:
    with api_refusal():
        hold_ops.approve_excluding(who.settings, who.school, body.empreinte, body.exclure,
                                   reason=body.motif, until=body.jusqu_au,
                                   by=who.person.login, actor=who.person.login, now=who.now(),
                                   reason_required=current_hold(who.settings, who.school)
                                   is not None)
    return _state(who)


@router.post("/plan/application", status_code=202)
def apply(body: Application, who: Planner) -> dict[str, object]:
    """Starts applying the approved plan of this hash; its progress is GET
    /plan/application."""
    with api_refusal():
        return who.console.runs[who.school].start(
            body.empreinte, by=who.person.login, allow_mass_leave=body.confirmer_departs,
            mass_leave_reason=body.motif).as_json()


@router.get("/plan/application")
def apply_progress(who: Reader) -> dict[str, object]:
    return who.console.runs[who.school].progress.as_json()
