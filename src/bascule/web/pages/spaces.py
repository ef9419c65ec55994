"""Espaces: each storage space's use against its quota, the fullest first; searched by path,
sorted by any column, paginated."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.operations import spaces as spaces_ops
from bascule.operations.spaces import Usage
from bascule.web.listing import Column, Listed, paginate
from bascule.web.rendering import page
from bascule.web.requests import Staff

router = APIRouter(include_in_schema=False)
COLUMNS: tuple[Column[Usage], ...] = (
    Column("espace", "Espace", lambda u: u.space.relative),
    Column("occupe", "Occupé", lambda u: u.size),
    Column("quota", "Quota", lambda u: u.space.quota),
    Column("remplissage", "Remplissage", lambda u: u.fraction),
    Column("etat", "État", lambda u: u.state),
)


@router.get("/espaces", response_class=HTMLResponse)
def spaces(request: Request, who: Staff, listed: Listed) -> HTMLResponse:
    usages = spaces_ops.spaces_usage(who.settings, who.school, now=who.now())
    listing = paginate(usages, listed, COLUMNS, text=lambda u: str(u.space.relative),
                       default_sort="-remplissage")
    return page(request, "espaces.html.j2", who, person=who.person, listing=listing,
                human=spaces_ops.human_size)
