"""The console assembled: its state (web.requests.Console), the pages' routers (web.pages), the
API's (web.api), the static files, the security headers and the refusals' pages. Every action
goes through bascule.operations, which asks the policy: a button the policy would refuse is not
shown, and a forged request is refused the same."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bascule.operations import campaign
from bascule.settings import load_settings
from bascule.web import errors
from bascule.web.api import api_router
from bascule.web.pages import ROUTERS
from bascule.web.rendering import page
from bascule.web.requests import Console, GoHome, MustChangePassword, NotSignedIn, Refused
from bascule.web.runs import ApplyRuns
from bascule.web.security import (
    BULK_RESETS,
    BULK_RESETS_SECONDS,
    HEADERS,
    RESETS,
    RESETS_SECONDS,
    SignInThrottle,
    Throttle,
)
from bascule.web.slots import Slots


def _console(home: Path, uai: str | None, clock: Callable[[], datetime]) -> Console:
    settings = load_settings(home)
    schools = (campaign.school_uai(settings, uai),) if uai else tuple(sorted(settings.uais))
    return Console(settings=settings, schools=schools, clock=clock,
                   sign_ins=SignInThrottle(), resets=Throttle(RESETS, RESETS_SECONDS),
                   bulk_resets=Throttle(BULK_RESETS, BULK_RESETS_SECONDS),
                   runs={school: ApplyRuns(settings, school, clock) for school in schools},
                   slots=Slots())


def _refusals(app: FastAPI) -> None:
    """A refusal is a French page with its status; a page asked for without a session sends
    to the sign-in, and a printed password to Mon compte."""

    @app.exception_handler(MustChangePassword)
    async def must_change(request: Request, exc: MustChangePassword) -> RedirectResponse:
        return RedirectResponse("/mon-compte", status_code=303)

    @app.exception_handler(GoHome)
    async def go_home(request: Request, exc: GoHome) -> RedirectResponse:
        return RedirectResponse(exc.path, status_code=303)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.method == "GET":
            return RedirectResponse("/connexion", status_code=303)
        return await refused(request, exc)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> HTMLResponse:
        return page(request, "message.html.j2", status=exc.status, title="Refusé",
                    message=exc.message, hint=exc.hint)


def create_app(home: Path, *, uai: str | None = None,
               clock: Callable[[], datetime] = campaign.utc_now) -> FastAPI:
    """The console of the home's schools (or of `uai` only); `clock` gives the time (UTC)."""
    console = _console(home, uai, clock)
    app = FastAPI(title="bascule", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.console = console
    app.include_router(api_router())
    for router in ROUTERS:  # not in the OpenAPI document, which describes the API only
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("bascule.web", "static")]), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    _refusals(app)
    errors.install(app)  # 404, 405, 422 and 500 in French
    return app
