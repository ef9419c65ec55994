"""The waiting plan computed again for now, by whoever may approve it (the console's Plan page):
a plan out of date since it was read (a hold, a review decision, an import, an apply) can be
neither approved nor applied, and a school must not need the département's team to go on."""

from __future__ import annotations

from datetime import datetime

from bascule.domain.policy import Permission
from bascule.operations import school as school_ops
from bascule.operations.campaign import lifecycle_plan
from bascule.operations.night.holds import plan_again_keeping_the_nights_hold
from bascule.operations.undo import plan_undo
from bascule.plan.model import Plan, PlanPurpose
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.operators import find_actor


def recompute_waiting_plan(settings: Settings, uai: str, *, by: str, now: datetime) -> Plan:
    """The plan of the same purpose as the one waiting (the campaign's, the September
    deletions, or the undo of the same apply), computed for `now` and saved in its place; it
    waits for approval again. Refusals: no plan waiting (NoPlanWaiting), not allowed
    (NotAllowed), an undo no longer possible (plan_undo's)."""
    waiting = school_ops.waiting_plan(settings, uai, None, outcome="rien n'a été recalculé.")
    with open_store(settings.store_url).connect() as connection:
        actor = find_actor(connection, uai, by)
    school_ops.require_allowed(actor, Permission.RECOMPUTE_PLAN, settings,
                               hint="Seuls le principal, son adjoint et l'opérateur "
                                    "recalculent le plan.")
    plan = waiting.plan
    if plan.purpose is PlanPurpose.UNDO and plan.undoes is not None:
        return plan_undo(settings, uai, plan.undoes, now=now)
    if plan.purpose is PlanPurpose.LIFECYCLE:
        return lifecycle_plan(settings, uai, now=now).plan
    return plan_again_keeping_the_nights_hold(settings, uai, now=now)
