"""The deletion circuit breaker: a plan that would leave too many accounts of a profile gone is
held until someone confirms the departures, with a reason.

A truncated export (a lost page of élèves, an STS file from another school) looks like a mass
departure. A new school year's expected departures (the 3e, and responsables all of whose
children leave with them) do not count: a normal rollover passes. The comparison is with the
breaker's reference (StoreState.departure_marks: the most active accounts since the school
year's first apply or the last confirmed mass departure), not only with this plan: two losses
of 8 % a week apart add up to 16 % and trip it. Every profile is counted on its own.
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
    """The profiles whose departures since the reference, this plan's unexpected disables
    included, reach `threshold` of the reference's active accounts (and MASS_LEAVE_MINIMUM)."""
    leaving = {key for key, division in state.divisions.items()
               if division in state.last_level_divisions}
    active = Counter(person.identity.profile for person in state.people
                     if person.account and person.account.status is AccountStatus.ACTIVE)
    unexpected = Counter(action.profile for action in actions
                         if action.kind is ActionKind.DISABLE
                         and not _expected(action, state, new_year, leaving))
    marks = {} if new_year else state.departure_marks
    leaves = []
    for profile in sorted(set(unexpected) | set(marks)):
        reference = max(marks.get(profile, 0), active[profile])
        gone = reference - active[profile] + unexpected[profile]
        # In thousandths, so that 10 of 100 is 10 % exactly, whatever the float.
        if (unexpected[profile] and gone >= MASS_LEAVE_MINIMUM
                and gone * 1000 >= round(threshold * 1000) * reference):
            leaves.append(MassLeave(profile=profile, unexpected=gone, active=reference))
    return tuple(leaves)
