"""Nuit (operators only): the latest night handed to the workers (PostgreSQL store), school by
school: waiting, running on which worker and at which step, a new attempt due, done, failed
with the French reason. With SQLite there is no queue: the page shows the last night's report,
school by school, and says where the reports are."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain.labels import NIGHT_OUTCOMES, NIGHT_STEPS
from bascule.domain.school import describe_moment
from bascule.operations.night.queue_status import queue_status, uses_queue
from bascule.operations.night.run import latest_night_report
from bascule.web.rendering import page
from bascule.web.requests import Who

router = APIRouter(include_in_schema=False)


@router.get("/nuit", response_class=HTMLResponse)
def night_page(request: Request, who: Who) -> HTMLResponse:
    queued = uses_queue(who.settings)
    status = queue_status(who.settings) if queued else None
    report = None if queued else latest_night_report(who.settings)
    return page(request, "nuit.html.j2", who, person=who.person, queued=queued,
                night=status, steps=NIGHT_STEPS, report=report, outcomes=NIGHT_OUTCOMES,
                report_started=describe_moment(report.started_at, clock=True) if report else "",
                report_finished=describe_moment(report.finished_at, clock=True)
                if report else "",
                started=describe_moment(status.started_at, clock=True) if status else "",
                finished=describe_moment(status.finished_at, clock=True)
                if status and status.finished_at else "")
