"""Espaces: each storage space's use against its quota, the fullest first."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.operations import spaces as spaces_ops
from bascule.web.rendering import page
from bascule.web.requests import Staff

router = APIRouter(include_in_schema=False)


@router.get("/espaces", response_class=HTMLResponse)
def spaces(request: Request, who: Staff) -> HTMLResponse:
    usages = sorted(spaces_ops.spaces_usage(who.settings, who.school, now=who.now()),
                    key=lambda u: (-(u.fraction or 0), u.space.relative))
    return page(request, "espaces.html.j2", who, person=who.person, usages=usages,
                human=spaces_ops.human_size)
