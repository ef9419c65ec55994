"""Plan: the plan waiting for approval (counts, per division, the first actions), its approval,
and applying it in the background with its progress."""

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission
from bascule.operations import school as school_ops
from bascule.operations.night.holds import current_hold
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff, refusal

router = APIRouter(include_in_schema=False)
PLAN_DETAILS = 300  # actions listed one by one on the Plan page; the counts cover them all
Hash = Annotated[str, Form()]


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, who: Staff) -> HTMLResponse:
    waiting = school_ops.pending(who.settings, who.school)
    actions = waiting.plan.actions if waiting else ()
    people = [a for a in actions if a.person_kind is not None]
    return page(request, "plan.html.j2", who, person=who.person, waiting=waiting,
                held=current_hold(who.settings, who.school) if waiting else None,
                counts=sorted(Counter((a.kind.value, a.profile) for a in actions).items()),
                divisions=sorted(Counter((a.division or "—", a.kind.value)
                                         for a in people).items()),
                details=people[:PLAN_DETAILS], more=max(0, len(people) - PLAN_DETAILS),
                may=who.may(Permission.APPROVE_PLAN),
                may_apply=who.may(Permission.APPLY_APPROVED_PLAN),
                run=who.console.runs[who.school].progress)


@router.post("/plan/approuver")
def approve_plan(who: Posted, empreinte: Hash) -> Response:
    with refusal():
        school_ops.approve_plan(who.settings, who.school, empreinte, by=who.person.login,
                                now=who.now())
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/appliquer")
def apply_plan(who: Posted, empreinte: Hash, confirmer_departs: Annotated[str, Form()] = "",
               motif: Annotated[str, Form()] = "") -> Response:
    with refusal():
        who.console.runs[who.school].start(empreinte, by=who.person.login,
                                           allow_mass_leave=confirmer_departs == "oui",
                                           mass_leave_reason=motif)
    return RedirectResponse("/plan/application", status_code=303)


@router.get("/plan/application", response_class=HTMLResponse)
def apply_progress(request: Request, who: Staff) -> HTMLResponse:
    return page(request, "application.html.j2", who, person=who.person,
                run=who.console.runs[who.school].progress)
