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
    field: a reactivation as it was)."""

    action: Action
    change: FieldChange | None


# What a creation gives the new account, in the order people read a record.
_CREATED_IDENTITY = ("last_name", "birth_name", "first_name", "birth_date", "email", "function",
                     "profile", "exit_date")


def creation_fields(action: Action) -> tuple[FieldChange, ...]:
    """A creation's fields, each "" -> its value (FieldChange's text forms): names, birth
    date, courriel and function when known, profile, exit date to come, division, the logins
    and the source's ids, so that the person approving reads who the account is for (newcomer
    11: a creation showed a name and a login only)."""
    identity = action.identity
    created = [FieldChange(name, "", str(value)) for name in _CREATED_IDENTITY
               if identity is not None and (value := getattr(identity, name)) not in (None, "")]
    if action.division:
        created.append(FieldChange("division", "", action.division))
    created += [FieldChange(f"login {kind.value}", "", login) for kind, login in action.logins]
    created += [FieldChange("source_id", "", f"{source.scheme}:{source.value}")
                for source in action.source_ids]
    return tuple(created)


def shown_changes(action: Action) -> tuple[FieldChange, ...]:
    """The field-level differences of an account action: what it changes, or for a creation
    what it gives (`creation_fields`)."""
    if action.changes or action.kind is not ActionKind.CREATE:
        return action.changes
    return creation_fields(action)


def difference_rows(plan: Plan) -> list[DifferenceRow]:
    """Every account action of the plan, one row per field it changes (a creation: per field
    it gives), in the plan's order."""
    rows: list[DifferenceRow] = []
    for action in plan.actions:
        if not action.kind.is_account_action:
            continue
        changes = shown_changes(action)
        if changes:
            rows += [DifferenceRow(action=action, change=change) for change in changes]
        else:
            rows.append(DifferenceRow(action=action, change=None))
    return rows
