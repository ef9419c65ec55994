"""The inverse of an applied plan, as a plan people read like any other (`bascule undo`).

What the undo writes comes from the record of the apply (the store's rows before and after it,
store/changes.py); these actions say it in the plan's words: the disabled are reactivated, the
reactivated disabled again, what was created is removed (the logins stay in quarantine), a
deleted account comes back disabled, old names, divisions and logins come back, memberships,
services, PP and guardianships added are withdrawn and those withdrawn are added again.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bascule.plan.model import Action, ActionKind, FieldChange, Plan, PlanPurpose

_INVERSE = {
    ActionKind.CREATE: ActionKind.DELETE, ActionKind.DISABLE: ActionKind.REACTIVATE,
    ActionKind.REACTIVATE: ActionKind.DISABLE, ActionKind.DELETE: ActionKind.DISABLE,
    ActionKind.UPDATE: ActionKind.UPDATE, ActionKind.MOVE: ActionKind.MOVE,
    ActionKind.ADD: ActionKind.REMOVE, ActionKind.REMOVE: ActionKind.ADD,
}


_INVERTIBLE = frozenset(kind._value_ for kind in _INVERSE)  # values: a str hashes in C


def can_invert(plan: Plan) -> bool:
    """A transfer moved an account between two schools' histories: not undone here."""
    return all(action.kind._value_ in _INVERTIBLE for action in plan.actions)


def inverse_action(action: Action) -> Action:
    changes = tuple(FieldChange(change.field, change.new, change.old)
                    for change in action.changes)
    division = next((change.new for change in changes if change.field == "division"),
                    action.division)
    return dataclasses.replace(action, kind=_INVERSE[action.kind], changes=changes,
                               division=division, logins=action.previous_logins or action.logins,
                               previous_logins=action.logins if action.previous_logins else ())


def undo_plan(applied: Plan, *, apply_id: int, state_fingerprint: str,
              now: datetime) -> Plan:
    """The plan that puts back what `applied` (applied as `apply_id`) changed."""
    return Plan(uai=applied.uai, school_year=applied.school_year, computed_at=now,
                state_fingerprint=state_fingerprint,
                actions=tuple(inverse_action(action) for action in applied.actions),
                purpose=PlanPurpose.UNDO, undoes=apply_id)
