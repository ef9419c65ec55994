"""A night's report for people and programs, from `reports.night.NightReport`: JSON (the
contract the monitoring and the cases read: codes, not words), a self-contained HTML page (in
French, like verify's), and a Prometheus textfile (node_exporter's textfile collector)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain.formats import decimal
from bascule.domain.labels import NIGHT_OUTCOMES, NIGHT_STEPS, STEP_STATUSES, step_counts_text
from bascule.domain.school import SCHOOL_TIMEZONE, describe_moment
from bascule.reports.night import (
    HeldPlan,
    NightReport,
    PeopleWaiting,
    SchoolNight,
    SchoolOutcome,
    StepReport,
    StepStatus,
)

_environment = Environment(loader=PackageLoader("bascule", "templates"),
                           autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)
_environment.filters["step_counts"] = step_counts_text
_environment.filters["decimal"] = decimal  # « 1,5 s » (a decimal comma)


def night_json(report: NightReport) -> dict[str, Any]:
    """Keys: started_at, finished_at, at, dry_run, exit_code, schools[] (uai, name, outcome,
    reason, held {plan_sha256, reasons, console_path}, verification_findings, steps[] (step,
    status, reason, counts, seconds), people_held, reviews_open (counts: the people the plan of
    the night left held, its review cases still open), people_waiting {held[], reviews[]} (who,
    « NOM Prénom : why »; null when no plan was computed)))."""
    return {
        "started_at": report.started_at.isoformat(), "finished_at": report.finished_at.isoformat(),
        "at": report.at.isoformat(), "dry_run": report.dry_run, "exit_code": report.exit_code,
        "schools": [school_json(school) for school in report.schools],
    }


def night_from_json(value: dict[str, Any]) -> NightReport:
    """The inverse of `night_json`: a night's report read back from its JSON file."""
    return NightReport(started_at=datetime.fromisoformat(value["started_at"]),
                       finished_at=datetime.fromisoformat(value["finished_at"]),
                       at=date.fromisoformat(value["at"]), dry_run=bool(value["dry_run"]),
                       schools=tuple(school_from_json(one) for one in value["schools"]))


def school_json(school: SchoolNight) -> dict[str, Any]:
    held = school.held
    return {
        "uai": school.uai, "name": school.name, "outcome": school.outcome.value,
        "reason": school.reason, "verification_findings": school.verification_findings,
        "held": None if held is None else {"plan_sha256": held.plan_sha256,
                                           "reasons": list(held.reasons),
                                           "console_path": held.console_path},
        "steps": steps_json(school.steps),
        "people_held": len(waiting.held) if (waiting := school.waiting) else 0,
        "reviews_open": len(waiting.reviews) if waiting else 0,
        "people_waiting": None if school.waiting is None else {
            "held": list(school.waiting.held), "reviews": list(school.waiting.reviews)},
    }


def steps_json(steps: tuple[StepReport, ...] | list[StepReport]) -> list[dict[str, Any]]:
    return [{"step": step.step, "status": step.status.value, "reason": step.reason,
             "counts": step.counts, "seconds": step.seconds} for step in steps]


def steps_from_json(values: list[dict[str, Any]]) -> tuple[StepReport, ...]:
    return tuple(StepReport(step=v["step"], status=StepStatus(v["status"]), reason=v["reason"],
                            counts=dict(v["counts"]), seconds=float(v["seconds"]))
                 for v in values)


def school_from_json(value: dict[str, Any]) -> SchoolNight:
    """The inverse of `school_json`: a school's night read back (from a worker's record)."""
    held, waiting = value["held"], value.get("people_waiting")
    return SchoolNight(
        uai=value["uai"], name=value["name"], outcome=SchoolOutcome(value["outcome"]),
        reason=value["reason"], steps=steps_from_json(value["steps"]),
        verification_findings=int(value["verification_findings"]),
        held=None if held is None else HeldPlan(plan_sha256=held["plan_sha256"],
                                                reasons=tuple(held["reasons"]),
                                                console_path=held["console_path"]),
        waiting=None if waiting is None else PeopleWaiting(held=tuple(waiting["held"]),
                                                           reviews=tuple(waiting["reviews"])))


def write_night_html(path: Path, report: NightReport) -> None:
    totals = {outcome: sum(1 for s in report.schools if s.outcome is outcome)
              for outcome in SchoolOutcome}
    path.write_text(_environment.get_template("nuit.html.j2").render(
        report=report, totals={NIGHT_OUTCOMES[o.value]: n for o, n in totals.items() if n},
        steps=NIGHT_STEPS, statuses=STEP_STATUSES, outcomes=NIGHT_OUTCOMES,
        started=describe_moment(report.started_at, clock=True),
        finished=describe_moment(report.finished_at, clock=True),
        at=describe_moment(datetime.combine(report.at, time(), SCHOOL_TIMEZONE))),
        encoding="utf-8")


def prometheus_text(report: NightReport, last_success: dict[str, datetime]) -> str:
    """The gauges: the run's end and exit code, per school its outcome (1 on the one it had),
    its last success (a night applied or unchanged), its duration, its held plan, and each
    step's counts."""
    lines = [
        "# HELP bascule_night_finished_timestamp_seconds End of the last night (bascule run).",
        "# TYPE bascule_night_finished_timestamp_seconds gauge",
        f"bascule_night_finished_timestamp_seconds {report.finished_at.timestamp():.0f}",
        "# HELP bascule_night_exit_code Exit code of the last night (0 done, 1 held/failed).",
        "# TYPE bascule_night_exit_code gauge",
        f"bascule_night_exit_code {report.exit_code}",
        "# HELP bascule_school_outcome Outcome of each school's last night (1: this one).",
        "# TYPE bascule_school_outcome gauge",
    ]
    for school in report.schools:
        lines += [f'bascule_school_outcome{{uai="{school.uai}",outcome="{o.value}"}} '
                  f"{int(school.outcome is o)}" for o in SchoolOutcome]
    lines += ["# HELP bascule_school_last_success_timestamp_seconds Last night a school was "
              "applied or unchanged.", "# TYPE bascule_school_last_success_timestamp_seconds "
              "gauge"]
    lines += [f'bascule_school_last_success_timestamp_seconds{{uai="{uai}"}} '
              f"{moment.timestamp():.0f}" for uai, moment in sorted(last_success.items())]
    lines += ["# HELP bascule_school_held_plan 1 when a school's plan waits for approval.",
              "# TYPE bascule_school_held_plan gauge"]
    lines += [f'bascule_school_held_plan{{uai="{s.uai}"}} {int(s.held is not None)}'
              for s in report.schools]
    lines += ["# HELP bascule_step_seconds Duration of each step of the last night.",
              "# TYPE bascule_step_seconds gauge"]
    lines += [f'bascule_step_seconds{{uai="{s.uai}",step="{step.step}"}} {step.seconds}'
              for s in report.schools for step in s.steps]
    lines += ["# HELP bascule_step_count What each step of the last night counted.",
              "# TYPE bascule_step_count gauge"]
    lines += [f'bascule_step_count{{uai="{s.uai}",step="{step.step}",what="{what}"}} {n}'
              for s in report.schools for step in s.steps for what, n in
              sorted(step.counts.items())]
    return "\n".join(lines) + "\n"
