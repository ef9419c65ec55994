"""Applying a plan from the console takes a while on a big school (the new accounts' passwords
are hashed first): it runs in a thread of the server, one at a time per school, and the Plan
page and the API read its progress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bascule.errors import UserError
from bascule.operations import school as school_ops
from bascule.operations.campaign import ActionKind
from bascule.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyProgress:
    state: str = "aucune"  # aucune | en_cours | terminee | echec
    by: str = ""
    plan_sha256: str = ""
    to_hash: int = 0
    hashed: int = 0
    step: str = ""
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    slips: str = ""  # the apply's folder of slips (page Fiches), when accounts were created
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.state == "en_cours"

    @property
    def percent(self) -> int:
        if self.state == "terminee":
            return 100
        return int(90 * self.hashed / self.to_hash) if self.to_hash else 0

    def as_json(self) -> dict[str, object]:
        return {"etat": self.state, "par": self.by, "plan": self.plan_sha256,
                "mots_de_passe_a_hacher": self.to_hash, "mots_de_passe_haches": self.hashed,
                "etape": self.step, "message": self.message, "comptes": self.counts,
                "pourcentage": self.percent,
                "debut": self.started_at.isoformat() if self.started_at else None,
                "fin": self.finished_at.isoformat() if self.finished_at else None}


class ApplyRuns:
    """The school's apply run: started after the checks pass, its progress read at any time."""

    def __init__(self, settings: Settings, uai: str, clock: Callable[[], datetime]):
        self._settings, self._uai, self._clock = settings, uai, clock
        self._lock = threading.Lock()
        self._progress = ApplyProgress()

    @property
    def progress(self) -> ApplyProgress:
        with self._lock:
            return self._progress

    def start(self, content_sha256: str, *, by: str, allow_mass_leave: bool,
              mass_leave_reason: str = "") -> ApplyProgress:
        """Refused at once (French UserError) when the plan may not be applied; else started.
        Mass departures are confirmed with their reason, journaled as the CLI's --reason."""
        if allow_mass_leave and not mass_leave_reason.strip():
            raise UserError("Confirmer ces départs demande leur raison : rien n'a été appliqué.",
                            hint="Écrivez-la (elle est journalisée) et appliquez de nouveau.")
        with self._lock:
            if self._progress.running:
                raise UserError("Une application est déjà en cours : attendez qu'elle finisse.")
            waiting = school_ops.check_apply(self._settings, self._uai, content_sha256, by=by,
                                             allow_mass_leave=allow_mass_leave,
                                             now=self._clock())
            to_hash = sum(a.kind is ActionKind.CREATE for a in waiting.plan.actions)
            self._progress = ApplyProgress(
                state="en_cours", by=by, plan_sha256=content_sha256, to_hash=to_hash,
                step="Mots de passe initiaux des nouveaux comptes", started_at=self._clock())
            reason = mass_leave_reason.strip() if allow_mass_leave else None
            threading.Thread(target=self._run, args=(content_sha256, by, reason),
                             name=f"apply-{self._uai}", daemon=True).start()
            return self._progress

    def _update(self, **changes: object) -> None:
        with self._lock:
            self._progress = replace(self._progress, **changes)  # type: ignore[arg-type]

    def _hashed(self, count: int) -> None:
        with self._lock:
            hashed = self._progress.hashed + count
            step = ("Écriture dans l'annuaire" if hashed >= self._progress.to_hash
                    else self._progress.step)
            self._progress = replace(self._progress, hashed=hashed, step=step)

    def _run(self, content_sha256: str, by: str, mass_leave_reason: str | None) -> None:
        try:
            outcome = school_ops.apply_approved_plan(
                self._settings, self._uai, content_sha256, by=by, now=self._clock(),
                allow_mass_leave=mass_leave_reason is not None, on_hashed=self._hashed,
                mass_leave_reason=mass_leave_reason)
        except UserError as exc:
            self._update(state="echec", message=exc.console_message, finished_at=self._clock())
        except Exception:  # the page says it failed; the details go to the server's log
            self._update(state="echec", finished_at=self._clock(),
                         message="Erreur interne pendant l'application : rien n'a été appliqué "
                                 "(une seule transaction). Voir le journal du serveur.")
            raise
        else:
            self._update(state="terminee", step="Terminé", counts=dict(outcome.counts),
                         finished_at=self._clock(),
                         slips=outcome.credentials.parent.name if outcome.credentials else "",
                         message=("Des comptes ont été créés : leurs fiches, sans nouveaux "
                                  "mots de passe, sont sur la page Fiches."
                                  if outcome.credentials else ""))
