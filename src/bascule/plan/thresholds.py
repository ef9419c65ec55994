"""The safety thresholds' table (plan/safety.py applies it): apart, so that the settings that
override it need not make the plan's values at every command's start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bascule.plan.kinds import ActionKind


@dataclass(frozen=True, slots=True)
class Threshold:
    """Held beyond `percent` % of the profile's active accounts AND beyond `count` actions:
    the share catches a truncated or foreign export, the count keeps a small profile's
    ordinary life (two CPE of five leaving) from holding a school."""

    percent: int
    count: int


# The documented defaults (README, "Safety thresholds"). A new school year moves about three
# quarters of the élèves (the 3e leave, the others change division) and creates a quarter.
DEFAULT_THRESHOLDS: dict[ActionKind, Threshold] = {
    ActionKind.CREATE: Threshold(percent=50, count=20),
    ActionKind.UPDATE: Threshold(percent=75, count=20),
    ActionKind.MOVE: Threshold(percent=90, count=20),
    ActionKind.DISABLE: Threshold(percent=10, count=5),  # beyond the expected departures
    ActionKind.DELETE: Threshold(percent=10, count=5),
}
GUARDED = tuple(DEFAULT_THRESHOLDS)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The table: a row per action, overridden per profile ((action, profile) -> Threshold)."""

    rows: Mapping[ActionKind, Threshold] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    by_profile: Mapping[tuple[ActionKind, str], Threshold] = field(default_factory=dict)

    def of(self, kind: ActionKind, profile: str) -> Threshold:
        return self.by_profile.get((kind, profile), self.rows[kind])
