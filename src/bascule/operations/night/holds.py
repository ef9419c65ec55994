"""Plans a night holds for a person: thresholds exceeded (plan/safety.py's table), an empty or
vanished export. Nothing of the school changes until that very plan (its hash) is approved:
by the direction on the console's Plan page, or by an operator with a reason (`bascule
approve`), journaled; the next night applies it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bascule.domain.school import describe_moment
from bascule.errors import UserError
from bascule.operations.campaign import plan_campaign, school_uai
from bascule.plan.model import Plan
from bascule.plan.safety import exceeded_thresholds
from bascule.settings import Settings
from bascule.store.breaker import active_by_profile
from bascule.store.engine import open_store
from bascule.store.night import NightHold, held_plan, hold_plan, release_plan
from bascule.store.people import journal_entry
from bascule.store.plans import approve, pending_approval


def reasons_to_hold(settings: Settings, plan: Plan) -> tuple[str, ...]:
    """Why this plan must wait for a person (empty: it may be applied), in French."""
    with open_store(settings.store_url).connect() as connection:
        active = active_by_profile(connection, plan.uai)
    return tuple(exceeded.reason for exceeded in exceeded_thresholds(
        plan, active, settings.thresholds_of(plan.uai)))


def plan_again_keeping_the_nights_hold(settings: Settings, uai: str, *, now: datetime) -> Plan:
    """The campaign plan computed by a person (`bascule plan`, the console's « Recalculer le
    plan ») in place of the one waiting. When the night held the plan it replaces and the new
    one is still over the thresholds, the night's hold moves to it (with the new plan's
    reasons): approving it is what the next night applies. The night used to let its hold go,
    compute the plan again and hold it again, the approval lost (newcomer 11b). Under the
    thresholds, the hold ends: the next night applies it."""
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        held = held_plan(connection, uai)
    waiting = pending_approval(engine, uai)
    plan = plan_campaign(settings, uai, now=now)
    if held is None or waiting is None or waiting.content_sha256 != held.plan_sha256:
        return plan
    replacing = pending_approval(engine, uai)
    reasons = () if plan.is_empty else reasons_to_hold(settings, plan)
    with engine.begin() as connection:
        if reasons and replacing is not None:
            hold_plan(connection, uai, NightHold(plan_sha256=replacing.content_sha256,
                                                 reasons=reasons, held_at=held.held_at))
        else:
            release_plan(connection, uai)
    return plan


def hold(settings: Settings, uai: str, plan_sha256: str, reasons: tuple[str, ...],
         now: datetime) -> NightHold:
    held = NightHold(plan_sha256=plan_sha256, reasons=reasons, held_at=now)
    with open_store(settings.store_url).begin() as connection:
        hold_plan(connection, uai, held)
        journal_entry(connection, uai, "plan_retenu", plan_sha256[:12], "nuit", now,
                      {"plan": plan_sha256, "motifs": list(reasons)})
    return held


def current_hold(settings: Settings, uai: str) -> NightHold | None:
    """The plan a night holds for the school, if it still waits (a plan applied or replaced
    meanwhile, by a person, releases it)."""
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        held = held_plan(connection, uai)
    if held is None:
        return None
    waiting = pending_approval(engine, uai)
    if waiting is None or waiting.content_sha256 != held.plan_sha256:
        with engine.begin() as connection:
            release_plan(connection, uai)
        return None
    return held


def release(settings: Settings, uai: str) -> None:
    with open_store(settings.store_url).begin() as connection:
        release_plan(connection, uai)


@dataclass(frozen=True, slots=True)
class HoldApproval:
    uai: str
    plan_sha256: str
    by: str


def approval_of_hold(settings: Settings, uai: str) -> HoldApproval | None:
    """Who approved the held plan, when someone did."""
    waiting = pending_approval(open_store(settings.store_url), uai)
    held = current_hold(settings, uai)
    if held is None or waiting is None or waiting.approved_by is None:
        return None
    return HoldApproval(uai, held.plan_sha256, waiting.approved_by)


def approve_held_plan(settings: Settings, uai: str | None, *, reason: str, actor: str,
                      now: datetime) -> NightHold:
    """An operator approves the plan a night held, with a reason, journaled; the next night
    applies that very plan (a plan computed after it is not approved by this)."""
    uai = school_uai(settings, uai)
    if not reason.strip():
        raise UserError("Donnez la raison de l'approbation : elle est journalisée.",
                        hint=f'bascule approve {uai} --reason "export vérifié avec le '
                             'secrétariat"')
    held = current_hold(settings, uai)
    waiting = pending_approval(open_store(settings.store_url), uai)
    if held is None or waiting is None:
        raise UserError(f"Aucun plan retenu par la nuit pour {uai} : rien n'a été approuvé.",
                        hint="bascule run --dry-run montre ce que ferait la prochaine nuit.")
    engine = open_store(settings.store_url)
    if not approve(engine, waiting.plan_id, held.plan_sha256, actor, now):
        raise UserError("Ce plan vient d'être appliqué ou remplacé : rien n'a été approuvé.")
    with engine.begin() as connection:
        journal_entry(connection, uai, "approbation", held.plan_sha256[:12], actor, now,
                      {"plan": held.plan_sha256, "motif": reason.strip(),
                       "retenu le": describe_moment(held.held_at)})
    return held
