"""Where the night handed to the workers stands, school by school (`bascule run --status`, the
console's Nuit page): waiting, running on which worker (and at which step), a new attempt due,
done, failed with the French reason."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url

from bascule.domain.labels import NIGHT_STEPS, QUEUE_STATES
from bascule.errors import UserError
from bascule.operations.campaign import school_name
from bascule.settings import Settings
from bascule.store.engine import open_store
from bascule.store.night_queue import QueuedSchool, latest_run, queued_schools


@dataclass(frozen=True, slots=True)
class SchoolProgress:
    """One school of the night: `state` is waiting, running, retry, done or failed."""

    uai: str
    name: str
    state: str
    worker: str | None
    attempts: int
    reason: str
    step: str  # the last step recorded ("" before the first)
    updated_at: datetime

    @property
    def state_label(self) -> str:
        return QUEUE_STATES.get(self.state, self.state)

    def describe(self) -> str:
        """One line in French, e.g. « en cours sur hote:1234 (synchronisation des annuaires) »."""
        text = self.state_label
        if self.state == "running" and self.worker:
            text += f" sur {self.worker}" + (f" ({NIGHT_STEPS.get(self.step, self.step)})"
                                             if self.step else "")
        if self.reason:
            text += f" : {self.reason}"
        if self.attempts > 1:
            text += f" [essai {self.attempts}]"
        return text


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """The latest night handed to the workers."""

    run_id: str
    at: datetime
    started_at: datetime
    finished_at: datetime | None
    dry_run: bool
    schools: tuple[SchoolProgress, ...]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(school.state for school in self.schools))


def uses_queue(settings: Settings) -> bool:
    """True when the store is PostgreSQL: the night then goes to the workers."""
    return make_url(settings.store_url).get_backend_name() == "postgresql"


def require_queue(settings: Settings) -> None:
    """UserError on a SQLite store: no queue there, so a worker (or its service) has nothing
    to take."""
    if not uses_queue(settings):
        raise UserError("Les travailleurs servent une base PostgreSQL : avec SQLite, "
                        "bascule run traite la nuit lui-même.",
                        hint="Déclarez la base commune dans bascule.toml ([store] url = "
                        "\"postgresql+psycopg://…\").")


def progress_of(settings: Settings, school: QueuedSchool) -> SchoolProgress:
    steps = json.loads(school.steps)
    return SchoolProgress(uai=school.uai, name=school_name(settings, school.uai),
                          state=school.state, worker=school.worker, attempts=school.attempts,
                          reason=school.reason, step=steps[-1]["step"] if steps else "",
                          updated_at=school.updated_at)


def queue_status(settings: Settings) -> QueueStatus | None:
    """The latest night handed to the workers (None: none yet, or a SQLite store)."""
    with open_store(settings.store_url).connect() as connection:
        run = latest_run(connection)
        if run is None:
            return None
        schools = queued_schools(connection, run.id)
    return QueueStatus(run_id=run.id, at=run.at, started_at=run.started_at,
                       finished_at=run.finished_at, dry_run=run.dry_run,
                       schools=tuple(progress_of(settings, school) for school in schools))


def status_json(status: QueueStatus | None) -> dict[str, Any]:
    """Keys: run (null when no night was handed to workers), at, started_at, finished_at,
    dry_run, counts {state: n}, schools[] (uai, name, state, state_label, worker, attempts,
    step, reason, updated_at)."""
    if status is None:
        return {"run": None, "schools": [], "counts": {}}
    return {
        "run": status.run_id, "at": status.at.isoformat(),
        "started_at": status.started_at.isoformat(),
        "finished_at": status.finished_at.isoformat() if status.finished_at else None,
        "dry_run": status.dry_run, "counts": status.counts,
        "schools": [{"uai": s.uai, "name": s.name, "state": s.state,
                     "state_label": s.state_label, "worker": s.worker,
                     "attempts": s.attempts, "step": s.step, "reason": s.reason,
                     "updated_at": s.updated_at.isoformat()} for s in status.schools],
    }
