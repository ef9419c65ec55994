"""The console's pages, one router per section of the menu (the sign-in and one's account
first). Each imports web.requests and web.rendering, and bascule.operations for what it does."""

from fastapi import APIRouter

from bascule.web.pages import (
    account,
    accounts,
    calendar,
    dashboard,
    history,
    holds,
    journal,
    night,
    operators,
    passwords,
    pilotage,
    plan,
    review,
    slips,
    spaces,
    verification,
)

ROUTERS: tuple[APIRouter, ...] = (
    account.router, operators.router, dashboard.router, passwords.router, plan.router,
    accounts.router, slips.router,
    pilotage.router, verification.router, spaces.router, calendar.router, journal.router,
    review.router, holds.router, history.router, night.router)
