"""Vérification: the store, the targets and the spaces compared now, findings by severity."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.operations import verification as verify_ops
from bascule.web.rendering import page
from bascule.web.requests import Staff

router = APIRouter(include_in_schema=False)


@router.get("/verification", response_class=HTMLResponse)
def verification(request: Request, who: Staff) -> HTMLResponse:
    result = verify_ops.run_verification(who.settings, who.school, now=who.now())
    return page(request, "verification.html.j2", who, person=who.person,
                findings=result.findings, totals=verify_ops.counts(result.findings))
