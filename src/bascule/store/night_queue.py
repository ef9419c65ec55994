"""The night handed to workers (operations/night/queue.py): a run's row and its schools' rows,
which `bascule run` waits on, `run --status` and the console read, and the workers update.

States of a school (night_job.state): waiting, running (on `worker`), retry (a target failed;
a new attempt is due), imported (its import done, waiting for the other schools' before its
plan), done, failed. `steps` and `result` are JSON written by operations (`result`: while
imported and after, what its import left for its plan; once done, the school's night)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from bascule.store.schema import night_job, night_run

FINAL_STATES = ("done", "failed")


@dataclass(frozen=True, slots=True)
class QueuedRun:
    id: str
    at: datetime
    dry_run: bool
    waited: bool
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class QueuedSchool:
    uai: str
    state: str
    worker: str | None
    attempts: int
    reason: str
    steps: str  # JSON list of step reports
    result: str | None  # JSON of the school's night, once done or failed
    updated_at: datetime


def add_run(connection: Connection, run: QueuedRun, uais: list[str]) -> None:
    connection.execute(insert(night_run).values(
        id=run.id, at=run.at, dry_run=run.dry_run, waited=run.waited,
        started_at=run.started_at, finished_at=None))
    connection.execute(insert(night_job), [
        {"run_id": run.id, "uai": uai, "state": "waiting", "worker": None, "attempts": 0,
         "reason": "", "steps": "[]", "result": None, "updated_at": run.started_at}
        for uai in uais])


def _run(row: object) -> QueuedRun:
    return QueuedRun(row.id, row.at, row.dry_run, row.waited,  # type: ignore[attr-defined]
                     row.started_at, row.finished_at)  # type: ignore[attr-defined]


def queued_run(connection: Connection, run_id: str) -> QueuedRun | None:
    row = connection.execute(select(night_run).where(night_run.c.id == run_id)).first()
    return None if row is None else _run(row)


def latest_run(connection: Connection) -> QueuedRun | None:
    row = connection.execute(select(night_run).order_by(night_run.c.started_at.desc())
                             .limit(1)).first()
    return None if row is None else _run(row)


def unfinished_run(connection: Connection) -> QueuedRun | None:
    """A run some of whose schools are not done or failed yet (at most one at a time)."""
    row = connection.execute(
        select(night_run).where(night_run.c.finished_at.is_(None))
        .where(night_run.c.id.in_(select(night_job.c.run_id)
                                  .where(night_job.c.state.not_in(FINAL_STATES))))
        .order_by(night_run.c.started_at.desc()).limit(1)).first()
    return None if row is None else _run(row)


def queued_schools(connection: Connection, run_id: str) -> list[QueuedSchool]:
    rows = connection.execute(select(night_job).where(night_job.c.run_id == run_id)
                              .order_by(night_job.c.uai))
    return [QueuedSchool(row.uai, row.state, row.worker, row.attempts, row.reason, row.steps,
                         row.result, row.updated_at) for row in rows]


def queued_school(connection: Connection, run_id: str, uai: str) -> QueuedSchool | None:
    return next((s for s in queued_schools(connection, run_id) if s.uai == uai), None)


def set_school(connection: Connection, run_id: str, uai: str, at: datetime,
               **values: object) -> None:
    """Update a school's row (state, worker, attempts, reason, steps, result)."""
    connection.execute(update(night_job).where((night_job.c.run_id == run_id)
                                               & (night_job.c.uai == uai))
                       .values(updated_at=at, **values))


def unwait(connection: Connection, run_id: str) -> None:
    connection.execute(update(night_run).where(night_run.c.id == run_id).values(waited=False))


def claim_finish(connection: Connection, run_id: str, at: datetime) -> bool:
    """Mark the run finished; True for the one caller that did (it writes the report)."""
    done = connection.execute(update(night_run).where((night_run.c.id == run_id)
                                                      & night_run.c.finished_at.is_(None))
                              .values(finished_at=at))
    return done.rowcount == 1


IMPORTED = "imported"


def all_imported(connection: Connection, run_id: str) -> list[str]:
    """The schools of the run to plan now: when every school is through its import (imported,
    or failed), those imported, turned back to waiting, once (the run's row locked meanwhile:
    two workers ending the last imports together never both take them)."""
    connection.execute(select(night_run.c.id).where(night_run.c.id == run_id)
                       .with_for_update())
    states = {school.uai: school.state for school in queued_schools(connection, run_id)}
    if any(state not in (IMPORTED, *FINAL_STATES) for state in states.values()):
        return []
    ready = sorted(uai for uai, state in states.items() if state == IMPORTED)
    if ready:
        connection.execute(update(night_job).where((night_job.c.run_id == run_id)
                                                   & night_job.c.uai.in_(ready))
                           .values(state="waiting"))
    return ready
