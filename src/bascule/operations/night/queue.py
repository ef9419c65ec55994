"""The night on workers (issue 21): with a PostgreSQL store, `bascule run` hands each school to
a task queue (procrastinate, whose tables live in the store) and `bascule worker` processes, on
any machine that reaches the store, the targets and the folder, take them one at a time.

The queue only decides where a school runs: its jobs call `run.school_import`, then
`run.school_after_import`, the very functions the in-process pool calls, so the steps, their
resumption records (night_step) and their report are the same. A school's night is two jobs, as
in-process it is two phases: its import, then (once every school of the run is through its
import: `store/night_queue.all_imported`, deferred by the worker that ends the last import) its
plan, apply and later steps. What the queue adds:
- one worker at a time per school: a session advisory lock of PostgreSQL (released by the
  server when the worker's connection drops, however the worker died), and procrastinate's job
  `lock` (a school's jobs never run side by side);
- a worker killed mid-job: its heartbeat stops, another worker finds the job stalled and
  retries it; the steps already done are skipped by their own records, and the report keeps
  them as done (`run.with_earlier_attempt`);
- a target that fails (directory, spaces, feeds): a new attempt after an exponential wait
  (`queue.backoff_seconds` ** attempt), at most `queue.max_attempts`; then the school is
  failed and reported, like any failure.
Progress is kept in night_run/night_job (store/night_queue.py): `run --status` and the
console's Nuit page read it, `bascule run` waits on it."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.operations.campaign import school_name, utc_now
from bascule.operations.night.queue_status import progress_of
from bascule.operations.night.queue_status import uses_queue as uses_queue
from bascule.operations.night.run import (
    ImportPhase,
    NightOptions,
    NightReport,
    finish_night,
    school_after_import,
    school_import,
    school_night,
    with_earlier_attempt,
)
from bascule.reports.night import HeldPlan, SchoolNight, SchoolOutcome, StepReport, StepStatus
from bascule.reports.night_files import school_from_json, school_json, steps_from_json, steps_json
from bascule.settings import Settings
from bascule.store import task_queue
from bascule.store.advisory import advisory_lock, lock_key
from bascule.store.engine import open_store
from bascule.store.night_queue import (
    FINAL_STATES,
    IMPORTED,
    QueuedRun,
    QueuedSchool,
    add_run,
    all_imported,
    claim_finish,
    queued_run,
    queued_school,
    queued_schools,
    set_school,
    unfinished_run,
    unwait,
)

if TYPE_CHECKING:
    from procrastinate import App

    from bascule.operations.night.queue_status import SchoolProgress

QUEUE = "nuit"
TASK = "bascule.nuit.etablissement"
# A job's phase: the school's import, or what follows it; "" (a job deferred before the
# phases): the whole night of the school in a row.
IMPORT, AFTER_IMPORT = "import", "suite"
# The steps that talk to targets (LDAP/AD, the spaces' server, the feeds' folders): a failure
# there is often a server down for a while, worth another attempt; an import refused or an
# internal error is not.
RETRYABLE_STEPS = frozenset({"sync", "spaces", "feeds", "cleanup"})
_POLL_SECONDS = 0.5
STOPPED_TOO_OFTEN = ("les travailleurs se sont arrêtés à chaque essai sur cet établissement "
                     "(arrêt brutal, machine perdue) ; la prochaine nuit reprendra où ils se "
                     "sont arrêtés")


class SchoolRetry(Exception):
    """A school's attempt to be made again later (a target failed, or the school is busy)."""


def _conninfo(store_url: str) -> str:
    """The store's URL for libpq (psycopg): SQLAlchemy's driver suffix removed."""
    return make_url(store_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def queue_app(settings: Settings, *, connections: int = 2) -> App:
    """Procrastinate's application on the store, with the school task registered."""
    from procrastinate import App, PsycopgConnector, RetryStrategy

    app = App(connector=PsycopgConnector(conninfo=_conninfo(settings.store_url), min_size=1,
                                         max_size=connections))
    retry = RetryStrategy(exponential_wait=settings.queue_backoff_seconds,
                          retry_exceptions=[SchoolRetry])

    @app.task(name=TASK, queue=QUEUE, pass_context=True, retry=retry)
    def school_task(context: Any, run_id: str, uai: str, phase: str = "") -> None:
        work_school(settings, run_id, uai, attempt=context.job.attempts,
                    worker=context.worker_name or worker_name(), phase=phase)

    return app


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue_night(settings: Settings, uais: list[str], *, now: datetime,
                  options: NightOptions, waited: bool) -> str:
    """Record the night and hand its schools to the queue; the run's id. Refused while an
    earlier night handed to the workers is not finished."""
    engine = open_store(settings.store_url)
    run = QueuedRun(id=str(uuid.uuid4()), at=now, dry_run=options.dry_run, waited=waited,
                    started_at=utc_now(), finished_at=None)
    with engine.begin() as connection:
        busy = unfinished_run(connection)
        if busy is not None:
            raise UserError(
                "Une nuit confiée aux travailleurs n'est pas terminée (commencée le "
                f"{local_time(busy.started_at):%d/%m/%Y à %H:%M}) : rien n'a été lancé.",
                hint="Suivez-la avec : bascule run --status")
        add_run(connection, run, uais)
    handed: list[str] = []
    try:
        _defer(settings, run.id, uais, handed)
    except BaseException:  # the schools not handed over would keep the night open for ever
        for uai in uais:
            if uai not in handed:
                _set(settings, run.id, uai, state="failed",
                     reason="pas confié aux travailleurs (la file n'a pas pu le recevoir)")
        stop_waiting(settings, run.id)  # its last worker, or this, writes the report
        raise
    return run.id


def _defer(settings: Settings, run_id: str, uais: list[str], handed: list[str],
           phase: str = IMPORT) -> None:
    """Hand each school's `phase` to the queue, noting in `handed` those it received."""
    app = queue_app(settings)
    app.open()
    try:
        task = app.tasks[TASK]
        for uai in uais:
            task.configure(lock=f"ecole-{uai}").defer(run_id=run_id, uai=uai, phase=phase)
            handed.append(uai)
    finally:
        app.close()


def plan_when_all_imported(settings: Settings, run_id: str) -> None:
    """Once every school of the run is through its import, hand their second phases to the
    queue (once: the run's row is locked while they are taken)."""
    with open_store(settings.store_url).begin() as connection:
        ready = all_imported(connection, run_id)
    if not ready:
        return
    handed: list[str] = []
    try:
        _defer(settings, run_id, ready, handed, AFTER_IMPORT)
    except BaseException:  # a school never handed over would keep the night open for ever
        for uai in ready:
            if uai not in handed:
                _set(settings, run_id, uai, state="failed", result=None,
                     reason="suite de la nuit pas confiée aux travailleurs (la file n'a pas "
                     "pu la recevoir)")
        finish_if_last(settings, run_id)
        raise


def live_workers(settings: Settings) -> int:
    """The workers alive now (a heartbeat within three intervals)."""
    with open_store(settings.store_url).connect() as connection:
        return task_queue.live_workers(connection, 3 * settings.queue_heartbeat_seconds)


def stop_waiting(settings: Settings, run_id: str) -> None:
    """Nobody waits for the run any more (Ctrl+C): its last worker writes the report."""
    with open_store(settings.store_url).begin() as connection:
        unwait(connection, run_id)
    finish_if_last(settings, run_id)


def wait_night(settings: Settings, run_id: str, *,
               on_change: Callable[[SchoolProgress], None] = lambda _p: None) -> NightReport:
    """Wait until every school of the run is done or failed, telling each change of state;
    then the night's report (its files and mails are the caller's, as in-process)."""
    engine = open_store(settings.store_url)
    seen: dict[str, tuple[object, ...]] = {}
    while True:
        with engine.connect() as connection:
            schools = queued_schools(connection, run_id)
        for school in schools:
            key = (school.state, school.worker, school.attempts)
            if seen.get(school.uai) != key:
                seen[school.uai] = key
                on_change(progress_of(settings, school))
        if all(school.state in FINAL_STATES for school in schools):
            break
        time.sleep(_POLL_SECONDS)
    with engine.begin() as connection:
        claim_finish(connection, run_id, utc_now())
        run = queued_run(connection, run_id)
    assert run is not None
    return _report(settings, run, schools)


def _report(settings: Settings, run: QueuedRun, schools: list[QueuedSchool]) -> NightReport:
    nights = [school_from_json(json.loads(school.result)) if school.result else
              _lost(settings, school) for school in schools]
    return NightReport(started_at=run.started_at, finished_at=utc_now(),
                       at=local_time(run.at).date(), dry_run=run.dry_run,
                       schools=tuple(sorted(nights, key=lambda s: s.uai)))


def _lost(settings: Settings, school: QueuedSchool) -> SchoolNight:
    reason = school.reason or "le travailleur s'est arrêté sans rendre compte"
    return SchoolNight(uai=school.uai, name=school_name(settings, school.uai),
                       outcome=SchoolOutcome.FAILED, reason=reason,
                       steps=(StepReport(step="erreur", status=StepStatus.FAILED,
                                         reason=reason),))


def work_school(settings: Settings, run_id: str, uai: str, *, attempt: int,
                worker: str, phase: str = "") -> None:
    """One school's job on a worker: under its lock, the school's night, its result kept.
    `attempt`: how many attempts came before (procrastinate's job.attempts)."""
    engine = open_store(settings.store_url)
    last = attempt + 1 >= settings.queue_max_attempts
    # Not the school lock of operations/locks.py (the steps take that one themselves).
    with advisory_lock(engine, lock_key(f"bascule-nuit:{uai}")) as locked:
        if not locked:
            _again_or_fail(settings, run_id, uai, last, "un autre travailleur traite déjà cet "
                           "établissement")
            return
        try:
            _work_locked(settings, run_id, uai, attempt=attempt, worker=worker, last=last,
                         phase=phase)
        except SchoolRetry:
            raise
        except Exception as exc:  # the job's own failure: said in the school's row, then raised
            give_up(settings, run_id, uai, f"erreur du travailleur ({type(exc).__name__} : "
                    f"{exc})")
            raise


def _work_locked(settings: Settings, run_id: str, uai: str, *, attempt: int, worker: str,
                 last: bool, phase: str = "") -> None:
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        run, row = queued_run(connection, run_id), queued_school(connection, run_id, uai)
    if run is None or row is None or row.state in FINAL_STATES:
        return  # a job delivered again after it finished: nothing to do twice
    if phase == IMPORT and row.result is not None:  # delivered again after its import
        plan_when_all_imported(settings, run_id)
        return
    earlier = steps_from_json(json.loads(row.steps))
    # A school's attempts: its import's, then its second job's own (each job counts its own).
    attempts = max(row.attempts, attempt + 1) if phase == AFTER_IMPORT else attempt + 1
    _set(settings, run_id, uai, state="running", worker=worker, attempts=attempts, reason="")

    def keep(steps: list[StepReport]) -> None:
        _set(settings, run_id, uai, steps=_steps_text(earlier, steps))

    if phase == IMPORT:
        imported = school_import(settings.home, uai, run.at, run.dry_run, on_record=keep)
        _set(settings, run_id, uai, state=IMPORTED, result=json.dumps(
            _phase_json(imported), ensure_ascii=False),
            steps=_steps_text(earlier, list(imported.steps)))
        plan_when_all_imported(settings, run_id)
        return
    if phase == AFTER_IMPORT:
        night = school_after_import(settings.home, _phase_of(uai, row.result, earlier),
                                    run.at, run.dry_run, earlier=earlier, on_record=keep)
    else:
        night = school_night(settings.home, uai, run.at, run.dry_run, earlier=earlier,
                             on_record=keep)
    failed = next((s for s in night.steps if s.status is StepStatus.FAILED), None)
    if failed is not None and failed.step in RETRYABLE_STEPS and not last:
        wait = settings.queue_backoff_seconds ** (attempt + 1)
        _set(settings, run_id, uai, state="retry", steps=_steps_text(earlier, night.steps),
             reason=f"{night.reason} ; nouvel essai dans {wait} s")
        raise SchoolRetry(night.reason)
    if attempts > 1:
        night = _after_attempts(night, attempts)
    _set(settings, run_id, uai, state="failed" if night.outcome is SchoolOutcome.FAILED
         else "done", reason=night.reason, steps=_steps_text((), night.steps),
         result=json.dumps(school_json(night), ensure_ascii=False))
    finish_if_last(settings, run_id)


def _phase_json(phase: ImportPhase) -> dict[str, object]:
    """What a school's import leaves to its second job, kept in its row's `result`."""
    held = phase.held
    return {"steps": steps_json(phase.steps), "imported": phase.imported,
            "would_import": phase.would_import, "stopped": phase.stopped,
            "held": None if held is None else {"plan_sha256": held.plan_sha256,
                                               "reasons": list(held.reasons)}}


def _phase_of(uai: str, result: str | None, earlier: tuple[StepReport, ...]) -> ImportPhase:
    """The import's phase kept by `_phase_json` (none kept: the steps recorded, nothing
    imported this night, as after a crash)."""
    kept = json.loads(result) if result else {}
    held = kept.get("held")
    return ImportPhase(
        uai=uai, steps=steps_from_json(kept["steps"]) if "steps" in kept else tuple(
            step for step in earlier if step.step == "import"),
        imported=bool(kept.get("imported")), would_import=bool(kept.get("would_import")),
        stopped=bool(kept.get("stopped")),
        held=None if held is None else HeldPlan(plan_sha256=held["plan_sha256"],
                                                reasons=tuple(held["reasons"])))


def _after_attempts(night: SchoolNight, attempts: int) -> SchoolNight:
    return replace(night, reason=f"{night.reason} (en {attempts} essais)")


def _steps_text(earlier: tuple[StepReport, ...],
                later: list[StepReport] | tuple[StepReport, ...]) -> str:
    """The steps to keep for a later attempt: this attempt's (earlier ones done kept as done)
    and the steps done earlier that this attempt has not reached yet."""
    merged = with_earlier_attempt(earlier, list(later))
    reached = {report.step for report in merged}
    kept = merged + [r for r in earlier if r.step not in reached
                     and r.status is StepStatus.DONE]
    return json.dumps(steps_json(kept), ensure_ascii=False)


def _again_or_fail(settings: Settings, run_id: str, uai: str, last: bool, why: str) -> None:
    if last:
        give_up(settings, run_id, uai, why)
        return
    _set(settings, run_id, uai, state="retry", reason=f"{why} ; nouvel essai plus tard")
    raise SchoolRetry(why)


def _set(settings: Settings, run_id: str, uai: str, **values: object) -> None:
    with open_store(settings.store_url).begin() as connection:
        set_school(connection, run_id, uai, utc_now(), **values)


def give_up(settings: Settings, run_id: str, uai: str, reason: str) -> None:
    """A school no attempt could finish, or whose job failed: failed, and the night finished
    if it was the last (a night nobody waits for gets its report all the same)."""
    _set(settings, run_id, uai, state="failed", reason=reason, result=None)
    plan_when_all_imported(settings, run_id)  # it may have been the last import to wait for
    finish_if_last(settings, run_id)


def finish_if_last(settings: Settings, run_id: str) -> None:
    """A night nobody waits for (`run --no-wait`): the worker that ends its last school writes
    the night's report and sends its mails, once."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        run = queued_run(connection, run_id)
        if run is None or run.waited:
            return  # `bascule run` waits for it, and writes the report itself
        schools = queued_schools(connection, run_id)
        if any(school.state not in FINAL_STATES for school in schools):
            return
        if not claim_finish(connection, run_id, utc_now()):
            return
    finish_night(settings, _report(settings, run, schools), now=run.at)


