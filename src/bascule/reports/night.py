"""What a night's run did, school by school: the one value that `bascule run` produces and that
its report (JSON, HTML), its Prometheus textfile and its mails are written from (issue 18).

Pure values: no store, no SMTP, no file. Reasons are plain French sentences for people; the
codes (`SchoolOutcome`, `StepStatus`, step names) are for programs (JSON keys, metrics labels)
and shown to people through `domain/labels.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class StepStatus(StrEnum):
    """How one step of one school's night ended."""

    DONE = "done"            # the step ran and changed what it had to
    UNCHANGED = "unchanged"  # nothing to do (exports not changed since the last run, plan empty)
    SKIPPED = "skipped"      # not run, by design: the calendar, a dry run, an earlier hold
    HELD = "held"            # stopped for a person: thresholds exceeded, empty or vanished export
    FAILED = "failed"        # an error; the other schools go on
    WAITING = "waiting"      # the drop folder holds an incomplete or inconsistent set


class SchoolOutcome(StrEnum):
    """A school's night in one word, for the digest and the monitoring."""

    APPLIED = "applied"
    UNCHANGED = "unchanged"
    HELD = "held"
    FAILED = "failed"
    SKIPPED = "skipped"


# The outcomes a person must look at: they make the night exit 1 and head the digest.
NEEDS_ATTENTION = (SchoolOutcome.HELD, SchoolOutcome.FAILED)


@dataclass(frozen=True)
class StepReport:
    """One step (`import`, `plan`, `apply`, `sync`, `spaces`, `feeds`, `verify`, `cleanup`,
    `deletion`) of one school: its status, why in French, and its counts (action -> number)."""

    step: str
    status: StepStatus
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class HeldPlan:
    """A plan stopped for a person: the plan's hash (what an approval binds), why in French (one
    sentence per exceeded threshold or empty export), and the console's path to read it."""

    plan_sha256: str
    reasons: tuple[str, ...]
    console_path: str = "/plan"


@dataclass(frozen=True)
class PeopleWaiting:
    """The people a school's plan of the night leaves as they are (held: « MARTIN Léa : pas
    encore de compte ») and its review cases still open (« MARTIN Léa : même nom… »), each
    with why in French: the plan may be applied, these people wait for someone all the same.
    Names and reasons only, never an id, a login or a password."""

    held: tuple[str, ...] = ()
    reviews: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.held or self.reviews)


@dataclass(frozen=True)
class SchoolNight:
    """One school's night: its outcome, the steps in order, and the findings of verify."""

    uai: str
    name: str
    outcome: SchoolOutcome
    reason: str
    steps: tuple[StepReport, ...] = ()
    held: HeldPlan | None = None
    verification_findings: int = 0
    # Who the plan of the night left held, and its open review cases (None: no plan computed).
    waiting: PeopleWaiting | None = None


@dataclass(frozen=True)
class NightReport:
    """A whole night: when it ran (UTC), the date it acted for (`--at`), each school in a
    stable order (by UAI), and whether it was a dry run."""

    started_at: datetime
    finished_at: datetime
    at: date
    schools: tuple[SchoolNight, ...]
    dry_run: bool = False
    html_report: str = ""  # the run's HTML report, a path on this machine ("" if none written)

    @property
    def exit_code(self) -> int:
        """0 when every school is done, 1 when any is held or failed (the run's contract)."""
        return 1 if any(school.outcome in NEEDS_ATTENTION for school in self.schools) else 0
