"""Tableau de bord: where the campaign stands, what the calendar allows now, the apply run, and
what the direction is told since its previous sign-in."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain.calendar import ALLOWED_LABELS, Calendar, allowed_at, phase_text
from bascule.domain.policy import Permission
from bascule.domain.school import describe_moment
from bascule.operations import reviews as review_ops
from bascule.operations import school as school_ops
from bascule.operations import sessions as session_ops
from bascule.operations.calendars import calendars_at
from bascule.web.rendering import page
from bascule.web.requests import Staff

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, who: Staff) -> HTMLResponse:
    now = who.now()
    calendar, following = calendars_at(who.settings.home, now, who.school)
    return page(request, "tableau.html.j2", who, person=who.person,
                moment=describe_moment(now), allowed=_allowed(calendar, now),
                ent=school_ops.ent_states(who.settings, who.school, now=now),
                phase=phase_text(calendar, following, now),
                board=school_ops.dashboard(who.settings, who.school, now=now),
                run=who.console.runs[who.school].progress,
                notices=session_ops.sign_in_notices(who.settings, who.session, now=now),
                reviews=_waiting_reviews(who), may_read_plan=who.may(Permission.READ_PLAN),
                personal=who.may(Permission.READ_PERSONAL_DATA))


def _allowed(calendar: Calendar, now: datetime) -> list[tuple[str, bool]]:
    """What the calendar allows now, but the ENT's opening: that one per profile, with the
    direction's reopenings, as Pilotage > Fermeture rentrée says it (ent_states)."""
    return [(ALLOWED_LABELS[name], value) for name, value in allowed_at(calendar, now).items()
            if name != "ent_open_to_eleves_and_responsables"]


def _waiting_reviews(who: Staff) -> int | None:
    """Held people waiting for a decision, for those who may take it."""
    if not who.may(Permission.RESOLVE_REVIEW):
        return None
    return sum(case.status == "open" and case.choice is None
               for case in review_ops.list_reviews(who.settings, who.school))
