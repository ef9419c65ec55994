"""Calendrier: the campaign's steps, where it stands, and the notices for each audience (all
signed in); never blank: once this rentrée's steps are past, what the next one brings."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain.calendar import phase_text
from bascule.domain.notices import AUDIENCES, notices_ahead
from bascule.domain.school import describe_moment
from bascule.operations.calendars import calendars_at
from bascule.web.rendering import page
from bascule.web.requests import Who

router = APIRouter(include_in_schema=False)


@router.get("/calendrier", response_class=HTMLResponse)
def calendar_page(request: Request, who: Who) -> HTMLResponse:
    now = who.now()
    calendar, following = calendars_at(who.settings.home, now, who.school)
    steps = [(m.value, describe_moment(s.start), describe_moment(s.end) if s.end else "")
             for m, s in calendar.spans.items()]
    return page(request, "calendrier.html.j2", who, person=who.person, steps=steps,
                year=calendar.rentree_year, moment=describe_moment(now),
                phase=phase_text(calendar, following, now),
                notices=notices_ahead(calendar, following, now), audiences=AUDIENCES)
