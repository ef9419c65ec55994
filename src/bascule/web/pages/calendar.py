"""Calendrier: the campaign's steps and the notices for each audience (all signed in)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain.calendar import rentree_year_of
from bascule.domain.notices import AUDIENCES, notices
from bascule.domain.school import describe_moment
from bascule.operations.calendars import load_calendar
from bascule.web.rendering import page
from bascule.web.requests import Who

router = APIRouter(include_in_schema=False)


@router.get("/calendrier", response_class=HTMLResponse)
def calendar_page(request: Request, who: Who) -> HTMLResponse:
    now = who.now()
    calendar = load_calendar(who.settings.home, rentree_year_of(now), who.school)
    steps = [(m.value, describe_moment(s.start), describe_moment(s.end) if s.end else "")
             for m, s in calendar.spans.items()]
    return page(request, "calendrier.html.j2", who, person=who.person, steps=steps,
                notices=notices(calendar, now), audiences=AUDIENCES)
