"""Journal: the school's audit trail, filtered by action and actor (direction and operators)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain import labels
from bascule.domain.policy import Permission
from bascule.operations import school as school_ops
from bascule.operations.school import AuditFilter
from bascule.web.rendering import page
from bascule.web.requests import Staff, refusal, require

router = APIRouter(include_in_schema=False)
SHOWN = 300  # the newest entries


@router.get("/journal", response_class=HTMLResponse)
def journal(request: Request, who: Staff, action: str = "", acteur: str = "") -> HTMLResponse:
    require(who, Permission.READ_AUDIT, "Le journal est réservé à la direction et aux opérateurs.")
    with refusal(400):  # an action the journal does not know: the words it knows, listed
        code = (labels.parse_choice(action, labels.JOURNAL_ACTIONS, "action", "Action")
                if action else None)
    entries = school_ops.audit(who.settings, who.school, AuditFilter(
        action=code, actor=acteur or None, limit=SHOWN))
    return page(request, "journal.html.j2", who, person=who.person, entries=entries,
                action=action, acteur=acteur)
