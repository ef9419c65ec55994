"""A plan's field-level differences: the groups each person leaves and joins, put on their
account action, and the plan read as one row per changed field (old -> new). Pure.

The rows are what `plan --details`, `plan --csv`, `plan --json`'s "differences" and the
console's Plan page show; the value of a difference is `FieldChange` (plan/model.py).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bascule.plan.model import Action, ActionKind, FactRow, FieldChange, Plan

GROUP_PREFIX = "G:"  # a group's structure target (plan/desired.py structure_target)
# The account actions a groups' difference goes on, the first the person has.
_CARRIERS = (ActionKind.UPDATE, ActionKind.MOVE, ActionKind.TRANSFER, ActionKind.REACTIVATE)


def groups_of(facts: Iterable[FactRow]) -> dict[str, frozenset[str]]:
    """Person key -> the codes of the groups they are a member of ("5ESP 1")."""
    groups: dict[str, set[str]] = defaultdict(set)
    for kind, subject, target, _detail in facts:
        if kind == "member" and target.startswith(GROUP_PREFIX):
            groups[subject].add(target.removeprefix(GROUP_PREFIX))
    return {key: frozenset(codes) for key, codes in groups.items()}


def groups_text(codes: Iterable[str]) -> str:
    """Group codes as a FieldChange holds them: sorted, joined by ", "."""
    return ", ".join(sorted(codes))


def with_groups(actions: Iterable[Action], before: Mapping[str, frozenset[str]],
                after: Mapping[str, frozenset[str]]) -> list[Action]:
    """The actions, each person's first update, move, transfer or reactivation carrying a
    "groups" change when the groups they belong to differ (`before`: the latest school year
    applied; `after`: the campaign planned)."""
    actions = list(actions)
    carried: set[str] = set()
    for kind in _CARRIERS:
        for index, action in enumerate(actions):
            if action.kind is not kind or action.person in carried:
                continue
            carried.add(action.person)
            old, new = before.get(action.person, frozenset()), after.get(action.person,
                                                                         frozenset())
            if old != new:
                change = FieldChange("groups", groups_text(old), groups_text(new))
                actions[index] = dataclasses.replace(action,
                                                     changes=(*action.changes, change))
    return actions


@dataclass(frozen=True, slots=True, kw_only=True)
class DifferenceRow:
    """One changed field of one account action (or the action alone, when it changes no
    field of an existing account: a creation)."""

    action: Action
    change: FieldChange | None


def difference_rows(plan: Plan, *, with_creations: bool = True) -> list[DifferenceRow]:
    """Every account action of the plan, one row per field it changes, in the plan's order."""
    rows: list[DifferenceRow] = []
    for action in plan.actions:
        if not action.kind.is_account_action:
            continue
        if action.changes:
            rows += [DifferenceRow(action=action, change=change) for change in action.changes]
        elif with_creations or action.kind is not ActionKind.CREATE:
            rows.append(DifferenceRow(action=action, change=None))
    return rows
