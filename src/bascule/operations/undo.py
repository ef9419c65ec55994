"""`bascule undo APPLY-ID`: the inverse of an applied plan, saved as the plan to apply.

The plan is shown and applied like any other (`bascule apply --yes`: the same approval, the
same deletion breaker); its apply puts back, field by field, what the applied plan changed
(store/changes.py). Refused once later applies touched the same people (their changes would be
lost or mixed), and past the grace period: `[undo] grace_days`, or by default until the
calendar's September deletions that follow the apply (after them, the accounts are gone from
the targets and their folders archived)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import Connection, Engine

from bascule.domain.school import describe_moment, local_time
from bascule.errors import UserError
from bascule.operations.calendars import undo_deadline_at
from bascule.operations.campaign import nothing_imported, staged_and_state
from bascule.operations.history import unknown_apply
from bascule.plan.model import AccountStatus, ActionKind, MassLeave, Plan
from bascule.plan.safety import mass_leaves
from bascule.plan.undo import can_invert, undo_plan
from bascule.settings import Settings
from bascule.store.changes import touched_people
from bascule.store.engine import open_store
from bascule.store.history import AppliedPlan, people_named, plans_of
from bascule.store.holds import person_holds
from bascule.store.plans import save_plan, saved_plan_value
from bascule.store.staging import latest_staged_sha256
from bascule.store.state import fingerprint


def plan_undo(settings: Settings, uai: str, apply_id: int, *, now: datetime) -> Plan:
    """Compute and save the undo of the applied plan `apply_id`; a French refusal when it
    cannot be undone (unknown, already undone, too late, later applies on the same people)."""
    engine = open_store(settings.store_url)
    staged_sha256 = latest_staged_sha256(engine, uai)
    if staged_sha256 is None:
        raise nothing_imported(uai)
    with engine.connect() as connection:
        applied, later = _applied_and_later(connection, uai, apply_id)
        _refuse_past_grace(settings, applied, now)
        _refuse_touched_since(connection, uai, applied, later)
        original = _original_plan(connection, applied)
        _refuse_held(connection, uai, original, now)
        current = fingerprint(connection, uai, staged_sha256)
    plan = undo_plan(original, apply_id=apply_id, state_fingerprint=current, now=now)
    plan = dataclasses.replace(plan, mass_leaves=_departures(engine, settings, uai, plan))
    save_plan(engine, plan)
    return plan


def _refuse_held(connection: Connection, uai: str, original: Plan, now: datetime) -> None:
    """A person held by hand is touched by no plan: an undo is put back whole (row by row,
    from the apply's record), so it waits for the hold to be lifted rather than skip them."""
    touched = {action.person for action in original.actions}
    held = [hold for hold in person_holds(connection, uai)
            if hold.active_on(local_time(now).date()) and hold.key in touched]
    if held:
        names = ", ".join(f"{hold.label} (jusqu'au {hold.until:%d/%m/%Y})" for hold in held)
        raise UserError(f"L'annulation toucherait des personnes retenues : {names}. Rien n'a "
                        "été préparé.",
                        hint="Levez d'abord leur retenue (bascule hold remove CLÉ, ou la page "
                             "Retenues), puis recommencez.",
                        console_hint="Levez d'abord leur retenue (page Retenues), puis "
                                     "recommencez.")


def _applied_and_later(connection: Connection, uai: str,
                       apply_id: int) -> tuple[AppliedPlan, list[AppliedPlan]]:
    applied = plans_of(connection, uai)
    wanted = next((one for one in applied if one.id == apply_id), None)
    if wanted is None:
        raise unknown_apply(uai, apply_id)
    if wanted.undone_by is not None:
        raise UserError(f"L'application n° {apply_id} a déjà été annulée (par le n° "
                        f"{wanted.undone_by}).")
    if wanted.undoes is not None:
        raise UserError(f"L'application n° {apply_id} est elle-même une annulation (du n° "
                        f"{wanted.undoes}) : elle ne s'annule pas.",
                        hint="Importez de nouveau les exports, puis bascule plan.",
                        console_hint="Corrigez par un nouvel import et un nouveau plan "
                                     "(l'opérateur du département les prépare).")
    # Later applies, except those undone since along with their undo: they changed nothing.
    pairs = {(one.undoes, one.id) for one in applied
             if one.undoes is not None and one.undoes > apply_id}
    cancelled = {i for pair in pairs for i in pair}
    return wanted, [one for one in applied if one.id > apply_id and one.id not in cancelled]


def undo_deadline(settings: Settings, applied: AppliedPlan) -> datetime | None:
    """Until when an apply may be undone: its grace period, or the calendar's next September
    deletions after it."""
    return undo_deadline_at(settings, applied.uai, applied.applied_at)


def _refuse_past_grace(settings: Settings, applied: AppliedPlan, now: datetime) -> None:
    deadline = undo_deadline(settings, applied)
    if deadline is not None and now > deadline:
        raise UserError(f"L'application n° {applied.id} ne peut plus être annulée : le délai a "
                        f"pris fin le {describe_moment(deadline, clock=True)}.",
                        hint="Corrigez par un nouvel import et un nouveau plan, ou restaurez "
                             "une sauvegarde (bascule backup list).",
                        console_hint="Corrigez par un nouvel import et un nouveau plan, ou "
                                     "demandez à l'opérateur du département de restaurer une "
                                     "sauvegarde.")


def _refuse_touched_since(connection: Connection, uai: str, applied: AppliedPlan,
                          later: list[AppliedPlan]) -> None:
    both = touched_people(connection, [applied.id]) & touched_people(
        connection, [one.id for one in later])
    if not both:
        return
    names = people_named(connection, uai, both)
    shown = ", ".join(names[:20]) + (f" et {len(names) - 20} autre(s)" if len(names) > 20
                                     else "")
    numbers = ", ".join(f"n° {one.id}" for one in sorted(later, key=lambda one: one.id))
    raise UserError(f"Annulation de l'application n° {applied.id} refusée : des applications "
                    f"plus récentes ({numbers}) ont touché les mêmes personnes : {shown}. Rien "
                    "n'a été fait.",
                    hint="Annulez d'abord les plus récentes (de la dernière à la première), ou "
                         "corrigez par un nouvel import et un nouveau plan.")


def _original_plan(connection: Connection, applied: AppliedPlan) -> Plan:
    plan = (saved_plan_value(connection, applied.saved_plan_id)
            if applied.saved_plan_id is not None else None)
    if plan is None:
        raise UserError(f"Le plan de l'application n° {applied.id} n'est plus enregistré : "
                        "elle ne peut pas être annulée.")
    if not can_invert(plan):
        raise UserError(f"L'application n° {applied.id} a accueilli des élèves d'un autre "
                        "collège du dossier : elle ne s'annule pas automatiquement.",
                        hint="Restaurez la sauvegarde prise avant elle (bascule backup list).",
                        console_hint="L'opérateur du département peut restaurer la sauvegarde "
                                     "prise avant elle.")
    return plan


def _departures(engine: Engine, settings: Settings, uai: str,
                plan: Plan) -> tuple[MassLeave, ...]:
    """The deletion breaker reads an undo like any plan: an active account it disables or
    removes (what was created) counts as a departure; a deleted one coming back does not."""
    _staged, state = staged_and_state(engine, settings, uai)
    active = {person.key for person in state.people
              if person.account and person.account.status is AccountStatus.ACTIVE}
    counted = tuple(dataclasses.replace(action, kind=ActionKind.DISABLE) for action in plan.actions
                    if action.kind in (ActionKind.DISABLE, ActionKind.DELETE)
                    and action.person in active)
    return mass_leaves(counted, state, new_year=False, thresholds=settings.thresholds_of(uai))
