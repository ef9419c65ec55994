"""The deletion circuit breaker: a plan that disables too many accounts of a profile is held.

A truncated export (a lost page of élèves, an STS file from another school) looks like a mass
departure. A new school year's expected departures (the 3e, and responsables all of whose
children leave with them) do not count: a normal rollover passes.
"""

from __future__ import annotations

from collections import Counter

from bascule.plan.model import AccountStatus, Action, ActionKind, MassLeave, StoreState

# A handful of departures in a small profile (two CPE of five) is ordinary life, not a
# truncated export: below this many unexpected disables, the breaker stays closed.
MASS_LEAVE_MINIMUM = 5


def _expected(action: Action, state: StoreState, new_year: bool,
              leaving: set[str]) -> bool:
    if not new_year:
        return False
    if action.profile == "eleve":
        return action.person in leaving
    children = state.children.get(action.person, frozenset())
    return action.profile == "responsable" and bool(children) and children <= leaving


def mass_leaves(actions: tuple[Action, ...], state: StoreState, *, new_year: bool,
                threshold: float) -> tuple[MassLeave, ...]:
    """The profiles whose unexpected disables exceed `threshold` of their active accounts (and
    MASS_LEAVE_MINIMUM accounts)."""
    leaving = {key for key, division in state.divisions.items()
               if division in state.last_level_divisions}
    active = Counter(person.identity.profile for person in state.people
                     if person.account and person.account.status is AccountStatus.ACTIVE)
    unexpected = Counter(action.profile for action in actions
                         if action.kind is ActionKind.DISABLE
                         and not _expected(action, state, new_year, leaving))
    return tuple(
        MassLeave(profile=profile, unexpected=count, active=active[profile])
        for profile, count in sorted(unexpected.items())
        if count >= MASS_LEAVE_MINIMUM and count / active[profile] > threshold
    )
