"""`bascule run`: every school of the folder (or those asked), each in a worker of a process
pool, every school's import before any school's plan, the night's report in a stable order (by
UAI), then its files: JSON, HTML, Prometheus. One school's failure never stops the others."""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from bascule.domain.labels import NIGHT_STEPS, count_of
from bascule.domain.school import local_time
from bascule.errors import DEBUG_VARIABLE, STORE_BUSY, UserError, is_store_busy
from bascule.operations.campaign import school_name, school_uai, utc_now
from bascule.operations.locks import night_lock
from bascule.operations.mailing import MailOutcome as MailOutcome
from bascule.operations.mailing import send_night_mails
from bascule.operations.night import school as steps
from bascule.reports.night import (
    HeldPlan,
    PeopleWaiting,
    SchoolNight,
    SchoolOutcome,
    StepReport,
    StepStatus,
)
from bascule.reports.night import NightReport as NightReport
from bascule.reports.night_files import night_from_json, prometheus_text, write_night_html
from bascule.reports.night_files import night_json as night_json
from bascule.settings import Settings, load_settings

REPORTS_FOLDER = Path("rapports") / "nuits"
METRICS_NAME = "bascule.prom"
LAST_SUCCESS_NAME = "dernieres-reussites.json"
T = TypeVar("T")
HELD_STOPS = "plan retenu : rien ne change pour cet établissement avant son approbation"


@dataclass(frozen=True, slots=True)
class NightOptions:
    uais: tuple[str, ...] = ()  # empty: every school of the folder
    dry_run: bool = False
    jobs: int = 0  # 0: one per core


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def run_night(settings: Settings, *, now: datetime, options: NightOptions,
              on_school: Callable[[SchoolNight], None] = lambda _s: None) -> NightReport:
    """The night, under the folder's night lock (a second run is refused). Each school's result
    is handed to `on_school` as it comes."""
    uais = night_uais(settings, options)
    with night_lock(settings.home):
        started = utc_now()
        schools = _run_schools(settings.home, uais, now, options, on_school)
        return NightReport(started_at=started, finished_at=utc_now(),
                           at=local_time(now).date(), dry_run=options.dry_run,
                           schools=tuple(sorted(schools, key=lambda s: s.uai)))


def night_uais(settings: Settings, options: NightOptions) -> list[str]:
    """The schools of the night, by UAI: those asked, else every school of the folder."""
    return sorted({school_uai(settings, uai) for uai in options.uais} or settings.uais)


def _run_schools(home: Path, uais: list[str], now: datetime, options: NightOptions,
                 on_school: Callable[[SchoolNight], None]) -> list[SchoolNight]:
    """Every school's import first, then every school's plan and later steps: a school's plan
    reads the other schools' newest campaigns (a pupil two schools list this year is held, one
    that left is moved), so none is planned before all the night's imports are in the store,
    whatever the order and the number of processes (newcomer 9b, NEW-1)."""
    jobs = min(options.jobs or default_jobs(), len(uais))
    if jobs <= 1:
        nights = []
        for phase in [school_import(home, uai, now, options.dry_run) for uai in uais]:
            nights.append(school_after_import(home, phase, now, options.dry_run))
            on_school(nights[-1])
        return nights
    pool = _pool(jobs)
    try:
        phases = _in_pool(pool, uais, lambda uai: pool.submit(
            school_import, home, uai, now, options.dry_run))
        imported = {phase.uai: phase for phase in phases.values()
                    if isinstance(phase, ImportPhase)}
        if len(imported) < len(uais):  # a process died: the pool is broken, another one
            pool.shutdown()
            pool = _pool(jobs)
        after = _in_pool(pool, list(imported), lambda uai: pool.submit(
            school_after_import, home, imported[uai], now, options.dry_run))
    finally:
        pool.shutdown()
    nights = []
    for uai in uais:  # a school whose process died in its import has no second phase
        night = after.get(uai, phases[uai])
        assert isinstance(night, SchoolNight)
        nights.append(night)
        on_school(night)
    return nights


DIED = ("le processus de cet établissement s'est arrêté brutalement ; la prochaine nuit "
        "reprendra où il s'est arrêté")


def _pool(jobs: int) -> ProcessPoolExecutor:
    """`jobs` processes, spawned: a worker never inherits the parent's open store connections;
    the same ones for both phases of the night."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def _in_pool(pool: ProcessPoolExecutor, uais: list[str], submit: Callable[[str], Future[T]]
             ) -> dict[str, T | SchoolNight]:
    """Each school's work in the pool; a school whose process died is failed, reported."""
    futures = {uai: submit(uai) for uai in uais}
    done: dict[str, T | SchoolNight] = {}
    for uai, future in futures.items():
        try:
            done[uai] = future.result()
        except BrokenProcessPool:
            done[uai] = _failed(uai, uai, DIED)
    return done


@dataclass(frozen=True, slots=True)
class ImportPhase:
    """What a school's import step leaves to its later steps, from one process to another."""

    uai: str
    steps: tuple[StepReport, ...]
    imported: bool
    would_import: bool
    held: HeldPlan | None
    stopped: bool  # an unexpected error: the school's night ends there


def school_import(home: Path, uai: str, now: datetime, dry_run: bool, *,
                  on_record: Callable[[list[StepReport]], None] | None = None) -> ImportPhase:
    """The first phase of a school's night: its new export, if any, imported (committed)."""
    context = steps.school_context(load_settings(home), uai, now, dry_run)
    context.on_record = on_record
    stopped = not _guarded(context, steps.step_import)
    return ImportPhase(uai=uai, steps=tuple(context.steps), imported=context.imported,
                       would_import=context.would_import, held=context.held, stopped=stopped)


def school_after_import(home: Path, phase: ImportPhase, now: datetime, dry_run: bool, *,
                        earlier: tuple[StepReport, ...] = (),
                        on_record: Callable[[list[StepReport]], None] | None = None
                        ) -> SchoolNight:
    """The second phase: plan, apply and the later steps, once every school of the night is
    through its import."""
    settings = load_settings(home)
    context = steps.school_context(settings, phase.uai, now, dry_run)
    context.steps = list(phase.steps)
    context.imported, context.would_import = phase.imported, phase.would_import
    context.held = phase.held
    context.on_record = on_record
    if not phase.stopped:
        _guarded(context, _after_import)
    context.steps = with_earlier_attempt(earlier, context.steps)
    return _school_result(context, school_name(settings, phase.uai))


def school_night(home: Path, uai: str, now: datetime, dry_run: bool, *,
                 earlier: tuple[StepReport, ...] = (),
                 on_record: Callable[[list[StepReport]], None] | None = None) -> SchoolNight:
    """One school's night, whatever happens: an unexpected error is its failure, reported.
    Both phases in a row: for one school alone, or a queue's job deferred before the night
    had two jobs a school. `earlier`: the steps an interrupted attempt of the same night
    recorded (a worker's retry); `on_record` is handed the steps so far after each one."""
    phase = school_import(home, uai, now, dry_run, on_record=on_record)
    return school_after_import(home, phase, now, dry_run, earlier=earlier, on_record=on_record)


def _guarded(context: steps.SchoolContext,
             work: Callable[[steps.SchoolContext], None]) -> bool:
    """Run `work`; an unexpected error is the school's failure, recorded on the step it
    stopped (one school's failure never stops the others). False when it failed so."""
    try:
        work(context)
    except Exception as exc:
        context.record(_interrupted_step(context), StepStatus.FAILED,
                       failure_reason(exc, context.uai))
        return False
    return True


def failure_reason(exc: Exception, uai: str) -> str:
    """What the night's report, its JSON and its mail say of a step's failure: a refusal's own
    words; otherwise the error's kind only, never its text, which may hold a statement's
    values (pupils' names and birth dates, newcomer 10); the trace goes to the terminal with
    --debug (BASCULE_DEBUG, which the night's processes inherit)."""
    if isinstance(exc, UserError):
        return exc.message
    if os.environ.get(DEBUG_VARIABLE):
        traceback.print_exception(exc)
    if is_store_busy(exc):
        return STORE_BUSY
    return (f"erreur interne ({type(exc).__name__}), pas une erreur de votre part ; la trace : "
            f"bascule --debug run --uai {uai} --jobs 1 (pour l'équipe technique)")


# A school's steps, in the order they run (the import, then `_after_import`).
STEP_ORDER = ("import", "plan", "apply", "deletion", "sync", "spaces", "feeds", "verify",
              "cleanup")


def _interrupted_step(context: steps.SchoolContext) -> str:
    """The step an error stopped: the first one not recorded yet ("erreur" past the last)."""
    recorded = {report.step for report in context.steps}
    return next((name for name in STEP_ORDER if name not in recorded), "erreur")


def with_earlier_attempt(earlier: tuple[StepReport, ...],
                         later: list[StepReport]) -> list[StepReport]:
    """A retry's steps, each found unchanged where an earlier attempt of the same night did it:
    the earlier report stands (the effect happened this night, once), so the night's report
    says what was done, not that the retry found nothing left to do."""
    done = {report.step: report for report in earlier if report.status is StepStatus.DONE}
    return [done.get(report.step, report) if report.status is StepStatus.UNCHANGED else report
            for report in later]


def _after_import(context: steps.SchoolContext) -> None:
    steps.step_plan_and_apply(context)
    for step in (steps.step_deletion, steps.step_sync, steps.step_spaces, steps.step_feeds,
                 steps.step_verify, steps.step_cleanup):
        if context.held is not None:
            name = step.__name__.removeprefix("step_")
            context.record(name, StepStatus.SKIPPED, HELD_STOPS)
        else:
            step(context)


def _school_result(context: steps.SchoolContext, name: str) -> SchoolNight:
    outcome, reason = _outcome(context.steps)
    if context.waiting and outcome is not SchoolOutcome.FAILED:
        reason = f"{reason} ; {waiting_text(context.waiting)}"
    return SchoolNight(uai=context.uai, name=name, outcome=outcome, reason=reason,
                       steps=tuple(context.steps), held=context.held,
                       verification_findings=context.findings, waiting=context.waiting)


def waiting_text(waiting: PeopleWaiting) -> str:
    """« 2 personnes retenues, 1 cas à examiner (bascule review list) »."""
    parts = []
    if waiting.held:
        parts.append(count_of(len(waiting.held), "personne retenue", "personnes retenues"))
    if waiting.reviews:
        parts.append(count_of(len(waiting.reviews), "cas à examiner", "cas à examiner")
                     + " (bascule review list)")
    who = ("cette personne" if len(waiting.held) + len(waiting.reviews) == 1
           else "ces personnes")
    return ", ".join(parts) + f" : rien n'est fait pour {who} tant que ce n'est pas réglé"


SIMULATION = "simulation : "  # the reasons of the steps a dry run would run


def _outcome(reports: list[StepReport]) -> tuple[SchoolOutcome, str]:
    """The school's night in one word, and why in French."""
    by_status: dict[StepStatus, list[StepReport]] = {}
    for report in reports:
        by_status.setdefault(report.status, []).append(report)
    if StepStatus.FAILED in by_status:
        first = by_status[StepStatus.FAILED][0]
        return SchoolOutcome.FAILED, f"{first.step} : {first.reason}"
    if StepStatus.HELD in by_status:
        return SchoolOutcome.HELD, by_status[StepStatus.HELD][0].reason
    if StepStatus.DONE in by_status:
        done = by_status[StepStatus.DONE]
        # A plan computed, a verification run again: nothing applied (newcomer 11).
        outcome = (SchoolOutcome.APPLIED if any(r.step in _WRITING_STEPS for r in done)
                   else SchoolOutcome.UNCHANGED)
        return outcome, "fait : " + ", ".join(
            NIGHT_STEPS.get(r.step, r.step) for r in done) + _waiting(by_status)
    simulated = [r for r in by_status.get(StepStatus.SKIPPED, [])
                 if r.reason.startswith(SIMULATION)]
    if simulated:  # a dry run: what the night would do is not « nothing changed »
        return SchoolOutcome.SKIPPED, SIMULATION + _steps_by_reason(simulated)
    if reports and reports[0].status in (StepStatus.SKIPPED, StepStatus.WAITING):
        return SchoolOutcome.SKIPPED, reports[0].reason
    return SchoolOutcome.UNCHANGED, "rien n'a changé depuis la dernière nuit"


# The steps whose « done » changed accounts, their folders or what the ENT reads.
_WRITING_STEPS = frozenset({"apply", "deletion", "sync", "spaces", "feeds", "cleanup"})


def _waiting(by_status: dict[StepStatus, list[StepReport]]) -> str:
    """« ; import des exports en attente : export incomplet… »: a step waiting for the next
    night is said in the summary, not only in the steps (newcomer 11)."""
    return "".join(f" ; {NIGHT_STEPS.get(r.step, r.step)} en attente : {r.reason}"
                   for r in by_status.get(StepStatus.WAITING, []))


def _steps_by_reason(reports: list[StepReport]) -> str:
    """« plan, application du plan : why ; sync : why »: the steps that say the same thing
    said once (newcomer 10: a dry run's plan and apply each repeated one sentence)."""
    steps: dict[str, list[str]] = {}
    for report in reports:
        reason = report.reason.removeprefix(SIMULATION)
        steps.setdefault(reason, []).append(NIGHT_STEPS.get(report.step, report.step))
    return " ; ".join(f"{', '.join(names)} : {reason}" for reason, names in steps.items())


def _failed(uai: str, name: str, reason: str) -> SchoolNight:
    return SchoolNight(uai=uai, name=name, outcome=SchoolOutcome.FAILED, reason=reason,
                       steps=(StepReport(step="erreur", status=StepStatus.FAILED,
                                         reason=reason),))


@dataclass(frozen=True, slots=True)
class NightFiles:
    json: Path
    html: Path
    metrics: Path


def finish_night(settings: Settings, report: NightReport, *, now: datetime,
                 metrics: Path | None = None) -> tuple[NightReport, NightFiles, MailOutcome]:
    """The night's files first, then its mails (operations/mailing.py): a mail that cannot be
    sent is in the outbox and the outcome, never a loss of the night's results."""
    files = keep_night_report(settings, report, metrics)
    report = replace(report, html_report=str(files.html))
    return report, files, send_night_mails(settings, report, now=now)


def keep_night_report(settings: Settings, report: NightReport,
                      metrics: Path | None = None) -> NightFiles:
    """Write the night's JSON and HTML under rapports/nuits/ (older ones beyond the retention
    removed) and the Prometheus textfile (`metrics`, default rapports/nuits/bascule.prom),
    replaced atomically so that the collector never reads half a file."""
    folder = settings.home / REPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = report_name(folder, report)
    files = NightFiles(json=folder / f"{name}.json", html=folder / f"{name}.html",
                       metrics=metrics or folder / METRICS_NAME)
    files.json.write_text(json.dumps(night_json(report), ensure_ascii=False, indent=1),
                          encoding="utf-8")
    write_night_html(files.html, report)
    if not report.dry_run:
        _write_atomically(files.metrics, prometheus_text(
            report, _last_successes(folder / LAST_SUCCESS_NAME, report)))
    _forget_old_reports(folder, report.started_at - settings.night_reports_retention)
    return files


def latest_night_report(settings: Settings) -> NightReport | None:
    """The last night written under rapports/nuits/ (a rehearsal's too: its file is the one
    written last, whatever day it rehearsed), None when there is none or it cannot be read."""
    written = sorted((path for path in (settings.home / REPORTS_FOLDER).glob("*.json")
                      if path.name.startswith(("nuit-", "simulation-"))),
                     key=lambda path: path.stat().st_mtime)
    if not written:
        return None
    try:
        report = night_from_json(json.loads(written[-1].read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # being written, or damaged by hand: the page says there is none to show
    return replace(report, html_report=str(written[-1].with_suffix(".html")))


def _last_successes(path: Path, report: NightReport) -> dict[str, datetime]:
    known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for school in report.schools:
        if school.outcome in (SchoolOutcome.APPLIED, SchoolOutcome.UNCHANGED):
            known[school.uai] = report.finished_at.isoformat()
    _write_atomically(path, json.dumps(known, indent=1))
    return {uai: datetime.fromisoformat(moment) for uai, moment in known.items()}


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.chmod(0o644)  # the metrics collector runs as another user
    partial.replace(path)


def report_name(folder: Path, report: NightReport) -> str:
    """« nuit-AAAAMMJJ-HHMMSS »: the night's day (a rehearsal's `--at`, not the machine's
    date) and the hour it started; « -2 », « -3 »… after it when a report of that day and
    second is already there (never overwritten)."""
    prefix = "simulation" if report.dry_run else "nuit"
    base = f"{prefix}-{report.at:%Y%m%d}-{local_time(report.started_at):%H%M%S}"
    name, again = base, 1
    while (folder / f"{name}.json").exists() or (folder / f"{name}.html").exists():
        again += 1
        name = f"{base}-{again}"
    return name


def _forget_old_reports(folder: Path, before: datetime) -> None:
    """The reports written before `before` (by the files' time: a rehearsal's name is the
    day it rehearsed, maybe months ago)."""
    for path in folder.iterdir():
        if (path.name.startswith(("nuit-", "simulation-")) and path.suffix in (".json", ".html")
                and path.stat().st_mtime < before.timestamp()):
            path.unlink()
