"""The safety thresholds, one table: per action (creations, updates, moves, disables, deletions)
and profile, a share of the profile's active accounts and a count; a plan beyond them is held
until a person approves it (`bascule run`), and the disables' row is the deletion circuit
breaker that `apply` enforces: a plan that would leave too many accounts of a profile gone is
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
from collections.abc import Mapping
from dataclasses import dataclass

from bascule.domain.labels import PROFILES
from bascule.plan.kinds import ActionKind
from bascule.plan.model import (
    Action,
    MassLeave,
    Plan,
    PlanPurpose,
    StoreState,
)
from bascule.plan.thresholds import GUARDED, Threshold, Thresholds


@dataclass(frozen=True, slots=True)
class Exceeded:
    """One threshold a plan goes beyond: `count` actions of `kind` on `profile`, of `active`
    active accounts (the breaker's reference, for disables)."""

    kind: ActionKind
    profile: str
    count: int
    active: int
    threshold: Threshold | None  # None: a whole profile would vanish (always a hold)

    @property
    def reason(self) -> str:
        """In French, for the report, the mails and the console."""
        who = PROFILES.get(self.profile, self.profile)
        verb = _VERBS[self.kind]
        if self.threshold is None:
            return (f"tous les comptes « {who} » ({self.active}) seraient {verb} : l'export "
                    "est vide ou incomplet")
        unexpected = " hors départs attendus" if self.kind is ActionKind.DISABLE else ""
        return (f"{self.count} comptes « {who} » {verb}{unexpected} sur {self.active} actifs, "
                f"au-delà du seuil ({self.threshold.percent} % et {self.threshold.count} "
                "comptes)")


_VERBS = {ActionKind.CREATE: "créés", ActionKind.UPDATE: "mis à jour",
          ActionKind.MOVE: "changés de division", ActionKind.DISABLE: "désactivés",
          ActionKind.DELETE: "supprimés"}


def exceeded_thresholds(plan: Plan, active: Mapping[str, int],
                        thresholds: Thresholds) -> tuple[Exceeded, ...]:
    """The thresholds the plan goes beyond, given each profile's active accounts before it.
    Disables are the breaker's (plan.mass_leaves: expected departures left out). A profile
    none of whose accounts were active (a first import) is never held for its creations. The
    calendar's deletions (a lifecycle plan) were disabled by an applied plan: not counted. A
    profile all of whose accounts (more than its disables' count) would go is always held."""
    if plan.purpose is PlanPurpose.LIFECYCLE:
        return ()
    counts = Counter((a.kind, a.profile) for a in plan.actions if a.kind in GUARDED)
    found = [Exceeded(kind=ActionKind.DISABLE, profile=leave.profile, count=leave.unexpected,
                      active=leave.active,
                      threshold=thresholds.of(ActionKind.DISABLE, leave.profile))
             for leave in plan.mass_leaves]
    for (kind, profile), count in sorted(counts.items(), key=lambda i: (i[0][0].value, i[0][1])):
        reference = active.get(profile, 0)
        if kind is ActionKind.DISABLE:  # the breaker's row, above; and a profile vanishing
            if count >= reference > thresholds.of(kind, profile).count:
                found.append(Exceeded(kind=kind, profile=profile, count=count,
                                      active=reference, threshold=None))
            continue
        if kind is ActionKind.CREATE and not reference:
            continue  # a first import: nothing there to protect
        row = thresholds.of(kind, profile)
        if count > row.count and count * 100 > row.percent * reference:
            found.append(Exceeded(kind=kind, profile=profile, count=count, active=reference,
                                  threshold=row))
    return tuple(found)


def _expected(action: Action, state: StoreState, new_year: bool,
              leaving: set[str]) -> bool:
    if not new_year:
        return False
    if action.profile == "eleve":
        return action.person in leaving
    children = state.children.get(action.person, frozenset())
    return action.profile == "responsable" and bool(children) and children <= leaving


def mass_leaves(actions: tuple[Action, ...], state: StoreState, *, new_year: bool,
                thresholds: Thresholds) -> tuple[MassLeave, ...]:
    """The profiles whose departures since the reference, this plan's unexpected disables
    included, reach the disables' row of `thresholds` (its percent of the reference's active
    accounts, and more than its count)."""
    leaving = {key for key, division in state.divisions.items()
               if division in state.last_level_divisions}
    active = state.active_profiles()
    disables = [action for action in actions if action.kind is ActionKind.DISABLE]
    unexpected = Counter(action.profile for action in disables
                         if not _expected(action, state, new_year, leaving))
    marks = {} if new_year else state.departure_marks
    leaves = []
    for profile in sorted(set(unexpected) | set(marks)):
        reference = max(marks.get(profile, 0), active[profile])
        gone = reference - active[profile] + unexpected[profile]
        row = thresholds.of(ActionKind.DISABLE, profile)
        # In whole numbers, so that 10 of 100 is 10 % exactly.
        if (unexpected[profile] and gone >= row.count
                and gone * 100 >= row.percent * reference):
            leaves.append(MassLeave(profile=profile, unexpected=gone, active=reference))
    return tuple(leaves)
