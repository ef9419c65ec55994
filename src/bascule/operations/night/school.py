"""One school's night: the existing operations, in order, each step gated by the calendar and
skipped when its input has not changed since it last finished (store/night.py), so that an
unchanged night costs only the check of the drop folder, and a run after a crash does only
what was left."""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from bascule.domain.calendar import Allowed, Calendar, Milestone, allowed_at, rentree_year_of
from bascule.domain.school import describe_moment, local_time
from bascule.errors import ImportRejected, UserError
from bascule.operations import campaign
from bascule.operations.calendars import load_calendar
from bascule.operations.feeds import feed_ent, feed_gar, feed_moodle
from bascule.operations.night import holds
from bascule.operations.night.depot import (
    DropSet,
    move_processed,
    purge_processed,
    scan_drop_folder,
)
from bascule.operations.spaces import apply_saved_cleanup, plan_cleanup, sync_spaces
from bascule.operations.targets import sync_targets
from bascule.operations.verification import Finding, run_verification
from bascule.reports.night import HeldPlan, PeopleWaiting, StepReport, StepStatus
from bascule.settings import Settings
from bascule.store.apply import StalePlan
from bascule.store.engine import open_store
from bascule.store.login_collisions import IdsTakenElsewhere, folder_moved_since
from bascule.store.night import NightHold, mark_step, step_signatures
from bascule.store.plans import pending_approval
from bascule.store.staging import latest_staged_sha256, newest_staged_hashes, older_campaigns

ACTOR = "nuit"
# Tests only: "UAI:step" kills the run (SIGKILL) right after that step, as a crash would.
KILL_AFTER = "BASCULE_TEST_KILL_AFTER_STEP"


@dataclass
class SchoolContext:
    """What one school's steps share during a night."""

    settings: Settings
    uai: str
    now: datetime
    dry_run: bool
    calendar: Calendar
    allowed: Allowed
    signatures: dict[str, str]
    steps: list[StepReport] = field(default_factory=list)
    held: HeldPlan | None = None
    waiting: PeopleWaiting | None = None  # who the plan of the night left held, open reviews
    imported: bool = False
    would_import: bool = False  # a dry run: an export waits that the night would import
    findings: int = 0
    known_fingerprint: tuple[str | None] | None = None  # cached until the store changes
    on_record: Callable[[list[StepReport]], None] | None = None  # a worker keeps progress

    def fingerprint(self) -> str | None:
        """The store's fingerprint of the school (None: nothing imported), read once until a
        step changes the store (import, apply, deletion)."""
        if self.known_fingerprint is None:
            self.known_fingerprint = (campaign.directory_fingerprint(self.settings, self.uai),)
        return self.known_fingerprint[0]

    def record(self, step: str, status: StepStatus, reason: str = "",
               counts: dict[str, int] | None = None, started: float = 0.0) -> None:
        if status is StepStatus.DONE and step in ("import", "apply", "deletion"):
            self.known_fingerprint = None  # the store changed
        self.steps.append(StepReport(step=step, status=status, reason=reason,
                                     counts=counts or {},
                                     seconds=round(time.monotonic() - started, 3)
                                     if started else 0.0))
        if self.on_record is not None:
            self.on_record(self.steps)
        if os.environ.get(KILL_AFTER) == f"{self.uai}:{step}":
            os.kill(os.getpid(), signal.SIGKILL)

    def amend(self, step: str, counts: dict[str, int], reason: str,
              status: StepStatus | None = None, started: float = 0.0) -> None:
        """The last report of `step` says what was done in the end (a plan computed again;
        `started`: when that began, its time added to the step's)."""
        last = max(i for i, report in enumerate(self.steps) if report.step == step)
        report = self.steps[last]
        spent = round(time.monotonic() - started, 3) if started else 0.0
        self.steps[last] = replace(report, counts=counts, reason=reason,
                                   status=status or report.status,
                                   seconds=round(report.seconds + spent, 3))

    def done(self, step: str, signature: str) -> bool:
        return self.signatures.get(step) == signature

    def mark(self, step: str, signature: str) -> None:
        with open_store(self.settings.store_url).begin() as connection:
            mark_step(connection, self.uai, step, signature, self.now)
        self.signatures[step] = signature


def school_context(settings: Settings, uai: str, now: datetime, dry_run: bool) -> SchoolContext:
    calendar = load_calendar(settings.home, rentree_year_of(now), uai)
    with open_store(settings.store_url).connect() as connection:
        signatures = step_signatures(connection, uai)
    return SchoolContext(settings=settings, uai=uai, now=now, dry_run=dry_run,
                         calendar=calendar, allowed=allowed_at(calendar, now),
                         signatures=signatures)


def _resumes(context: SchoolContext, milestone: Milestone, what: str) -> str:
    start = context.calendar.start(milestone)
    when = describe_moment(start) if start else "la date du calendrier"
    return f"{what} suspendus pour l'été : ils reprennent le {when}"


def imports_closed(context: SchoolContext) -> str:
    """Why nothing is imported now ("" when imports are allowed): the summer suspension, until
    the first resumption (the ENT's)."""
    if context.allowed.imports_to_ent or context.allowed.imports_to_pedagogical_server:
        return ""
    return _resumes(context, Milestone.ENT_RESUMES, "Imports")


def step_import(context: SchoolContext) -> None:
    """Pick up a complete set from the drop folder, import it, move it to traites/."""
    started = time.monotonic()
    settings = context.settings
    folder = settings.depot_of(context.uai)
    if not context.dry_run:
        purge_processed(folder, before=(context.now - settings.depot_retention).date())
    drop = scan_drop_folder(settings, context.uai)
    closed = imports_closed(context)
    if drop.empty:
        context.record("import", StepStatus.UNCHANGED, "aucun nouvel export dans le dépôt "
                       f"{folder}")
    elif drop.waiting:
        _not_an_export_yet(context, drop)
    elif closed:
        context.record("import", StepStatus.SKIPPED, f"{closed} ; l'export du "
                       f"{drop.export_date} attend dans le dépôt")
    elif context.dry_run:
        context.would_import = True
        context.record("import", StepStatus.SKIPPED, f"simulation : l'export du "
                       f"{drop.export_date} ({len(drop.files)} fichiers) serait importé")
    elif context.done("import", drop.sha256):  # imported, not moved yet: a crash in between
        move_processed(drop, context.now)
        context.record("import", StepStatus.UNCHANGED, "export déjà importé, rangé")
    else:
        _import(context, drop, started)


def _not_an_export_yet(context: SchoolContext, drop: DropSet) -> None:
    """A drop folder whose files are not one complete export. What waiting cannot mend
    (another school's export, several years…) fails the school's night at once: a person must
    act. An unreadable or incomplete set waits a night (files still being dropped); the same
    files still there on a later night fail it too (newcomer 10: such a set waited night after
    night, the school reported « appliqué » and the night exit 0)."""
    today = str(local_time(context.now).date())
    seen, _at, night = context.signatures.get(_DEPOT_SEEN, "").partition("@")
    if drop.lasting:
        context.record("import", StepStatus.FAILED,
                       f"{drop.waiting} : retirez ces fichiers du dépôt ou remplacez-les")
    elif seen == drop.sha256 and night != today:
        context.record("import", StepStatus.FAILED,
                       f"{drop.waiting} ; les mêmes fichiers attendaient déjà la nuit du "
                       f"{date.fromisoformat(night):%d/%m/%Y} : ce n'est pas un dépôt en cours, "
                       "déposez l'export de nouveau")
    else:
        if not context.dry_run and seen != drop.sha256:
            context.mark(_DEPOT_SEEN, f"{drop.sha256}@{today}")
        context.record("import", StepStatus.WAITING, drop.waiting)


_DEPOT_SEEN = "depot"  # the waiting set's hash and the night it was first seen


def _import(context: SchoolContext, drop: DropSet, started: float) -> None:
    try:
        outcome = campaign.import_exports(context.settings, list(drop.files), now=context.now,
                                          actor=ACTOR)
    except ImportRejected as rejected:
        first = next((p for p in rejected.problems if p.is_error), None)
        folder = move_processed(drop, context.now)
        context.record("import", StepStatus.FAILED, f"{rejected.message} "
                       f"{first.message if first else ''} (fichiers rangés dans {folder})",
                       started=started)
        return
    context.mark("import", drop.sha256)
    move_processed(drop, context.now)
    context.imported = outcome.staging is campaign.Staging.STAGED
    counts = {"eleves": len(outcome.snapshot.active_eleves),
              "avertissements": len(outcome.problems)}
    if not outcome.snapshot.active_eleves:
        context.held = HeldPlan(plan_sha256="", reasons=(
            "l'export ne compte aucun élève : vide ou tronqué",))
        context.record("import", StepStatus.HELD, context.held.reasons[0], counts, started)
        return
    context.record("import", StepStatus.DONE, f"export du {drop.export_date} importé",
                   counts, started)


def step_plan_and_apply(context: SchoolContext) -> None:
    """Plan, check the thresholds, apply when allowed; or apply the held plan once approved."""
    if context.held is not None:
        _skip(context, ("plan", "apply"), "export retenu")
        return
    closed = imports_closed(context)
    if closed:
        _skip(context, ("plan", "apply"), closed)
        return
    if context.dry_run:
        _simulate_plan(context)
        return
    waiting = holds.current_hold(context.settings, context.uai)
    if waiting is not None and not context.imported:
        _held_plan_night(context, waiting)
        return
    started = time.monotonic()
    engine = open_store(context.settings.store_url)
    staged = latest_staged_sha256(engine, context.uai)
    if staged is None:
        _skip(context, ("plan", "apply"), "aucun export importé pour l'instant")
        return
    if not campaign.plan_needed(engine, context.uai, staged, now=context.now):
        in_force = campaign.plan_in_force(engine, context.uai)
        context.waiting = None if in_force is None else people_waiting(in_force)
        context.record("plan", StepStatus.UNCHANGED, "les comptes sont à jour")
        context.record("apply", StepStatus.UNCHANGED, "rien à appliquer")
        return
    plan = campaign.plan_campaign(context.settings, context.uai, now=context.now)
    context.record("plan", StepStatus.DONE, "", _planned_counts(plan), started)
    context.waiting = people_waiting(plan)
    for _again in range(_RACES):
        try:
            _apply_or_hold(context, plan)
            return
        except (IdsTakenElsewhere, StalePlan) as race:
            # Another school's apply, beside this one (workers, --jobs), gave one of its
            # EduConnect ids first, or took one of its élèves (a transfer makes this school's
            # plan stale): computed again, the plan sees what that school did.
            plan = _plan_again(context, "calculé de nouveau : un autre collège du dossier "
                               "venait " + ("de donner un de ses identifiants EduConnect"
                                            if isinstance(race, IdsTakenElsewhere) else
                                            "d'appliquer son plan, qui touchait à cet "
                                            "établissement"))
    _apply_or_hold(context, plan)


def _plan_again(context: SchoolContext, reason: str,
                status: StepStatus | None = None) -> campaign.Plan:
    """The school's plan computed again: the plan step says why, its time added, and the
    people it leaves waiting are the new plan's."""
    started = time.monotonic()
    plan = campaign.plan_campaign(context.settings, context.uai, now=context.now)
    context.amend("plan", _planned_counts(plan), reason, status=status, started=started)
    context.waiting = people_waiting(plan)
    return plan


_RACES = 3  # plans computed again after another school's apply made them out of date


def _planned_counts(plan: campaign.Plan) -> dict[str, int]:
    return dict(Counter(a.kind.value for a in plan.actions if a.kind.is_account_action))


def people_waiting(plan: campaign.Plan) -> PeopleWaiting:
    """Who the plan leaves held and its open review cases, « NOM Prénom : why »."""
    held = sorted({f"{one.label} : {one.reason}" for one in plan.held})
    reviews = sorted(f"{case.label} : {case.reason}" for case in plan.reviews
                     if case.resolution is None)
    return PeopleWaiting(held=tuple(held), reviews=tuple(reviews))


def _simulate_plan(context: SchoolContext) -> None:
    """What the night would plan and apply, said without computing the plan: a new export in
    the drop folder, a campaign imported but not applied yet, a held plan, or nothing."""
    engine = open_store(context.settings.store_url)
    staged = latest_staged_sha256(engine, context.uai)
    if (holds.current_hold(context.settings, context.uai) is not None
            and not context.would_import):
        _skip(context, ("plan", "apply"), "simulation : le plan retenu attend son approbation")
    elif context.would_import:
        _skip(context, ("plan", "apply"), "simulation : le nouvel export serait planifié, "
              "puis appliqué s'il reste sous les seuils")
    elif staged is not None and campaign.plan_needed(engine, context.uai, staged,
                                                     now=context.now):
        _skip(context, ("plan", "apply"), "simulation : la campagne importée, pas encore "
              "appliquée, serait planifiée puis appliquée si elle reste sous les seuils")
    elif staged is None:
        _skip(context, ("plan", "apply"), "aucun export importé pour l'instant")
    else:
        context.record("plan", StepStatus.UNCHANGED, "les comptes sont à jour")
        context.record("apply", StepStatus.UNCHANGED, "rien à appliquer")


def _apply_or_hold(context: SchoolContext, plan: campaign.Plan,
                   held_because: tuple[str, ...] = ()) -> None:
    """`held_because`: said first among the reasons, if the plan is held."""
    started = time.monotonic()
    if plan.is_empty:
        context.record("apply", StepStatus.UNCHANGED, "plan vide")
        return
    reasons = holds.reasons_to_hold(context.settings, plan)
    engine = open_store(context.settings.store_url)
    waiting = pending_approval(engine, context.uai)
    if reasons and waiting is not None and folder_moved_since(engine, context.uai,
                                                              waiting.plan_id):
        # Another school applied since this plan read its EduConnect ids: held as it is, it
        # would wait for an approval that could not apply (newcomer 10b). Computed again.
        plan = _plan_again(context, "calculé de nouveau avant d'être retenu : un autre "
                           "collège du dossier venait d'appliquer son plan")
        reasons = holds.reasons_to_hold(context.settings, plan)
        waiting = pending_approval(engine, context.uai)
    if reasons and waiting is not None:
        reasons = (*held_because, *reasons)
        held = holds.hold(context.settings, context.uai, waiting.content_sha256, reasons,
                          context.now)
        context.held = HeldPlan(plan_sha256=held.plan_sha256, reasons=reasons)
        context.record("apply", StepStatus.HELD, " ; ".join(reasons), started=started)
        return
    outcome = campaign.apply_saved_plan(context.settings, context.uai, now=context.now,
                                        actor=ACTOR, night=context.now)
    context.record("apply", StepStatus.DONE, "", dict(outcome.counts), started)


def _held_plan_night(context: SchoolContext, waiting: NightHold) -> None:
    """No new export: the held plan is applied once approved, else it still waits."""
    started = time.monotonic()
    approval = holds.approval_of_hold(context.settings, context.uai)
    context.record("plan", StepStatus.UNCHANGED, "plan retenu, pas de nouvel export")
    if approval is None:
        context.held = HeldPlan(plan_sha256=waiting.plan_sha256, reasons=waiting.reasons)
        context.record("apply", StepStatus.HELD, "en attente d'approbation depuis le "
                       f"{describe_moment(waiting.held_at)} : " + " ; ".join(waiting.reasons))
        return
    try:
        outcome = campaign.apply_saved_plan(
            context.settings, context.uai, now=context.now, actor=ACTOR, night=context.now,
            approved_sha256=approval.plan_sha256, allow_mass_leave=True,
            mass_leave_reason=f"plan retenu par la nuit, approuvé par {approval.by}")
    except (IdsTakenElsewhere, StalePlan) as race:
        _approved_plan_overtaken(context, approval.by, race)
        return
    holds.release(context.settings, context.uai)
    context.waiting = people_waiting(outcome.plan)
    context.record("apply", StepStatus.DONE, f"plan retenu approuvé par {approval.by}, "
                   "appliqué", dict(outcome.counts), started)


def _approved_plan_overtaken(context: SchoolContext, approved_by: str,
                             race: IdsTakenElsewhere | StalePlan) -> None:
    """The held plan, approved, no longer applies as it was approved: another school of the
    folder gave one of its EduConnect ids since, or the directory moved. Every night would
    refuse it again (newcomer 10): it is computed again, then applied if it stays under the
    thresholds, else held for a new approval (an approval binds a plan's very content)."""
    holds.release(context.settings, context.uai)
    why = ("un autre collège du dossier a donné depuis un de ses identifiants EduConnect"
           if isinstance(race, IdsTakenElsewhere) else "l'annuaire a changé depuis son calcul")
    overtaken = (f"le plan retenu, approuvé par {approved_by}, ne s'appliquait plus tel quel "
                 f"({why}) : calculé de nouveau")
    plan = _plan_again(context, f"{overtaken}, il s'applique s'il reste sous les seuils, "
                       "sinon il attend une nouvelle approbation", status=StepStatus.DONE)
    _apply_or_hold(context, plan, held_because=(
        f"{overtaken} ; il faut l'approuver de nouveau",))


def _skip(context: SchoolContext, steps: tuple[str, ...], reason: str) -> None:
    for step in steps:
        context.record(step, StepStatus.SKIPPED, reason)


def step_deletion(context: SchoolContext) -> None:
    """The calendar's September deletions (accounts disabled before the date): applied."""
    if not context.allowed.deletions:
        start = context.calendar.start(Milestone.DELETIONS)
        context.record("deletion", StepStatus.SKIPPED, "suppressions à partir du "
                       f"{describe_moment(start) if start else '?'}")
        return
    fingerprint = context.fingerprint()
    if fingerprint is None or context.done("deletion", fingerprint):
        context.record("deletion", StepStatus.UNCHANGED, "rien de nouveau à supprimer")
        return
    if context.dry_run:
        context.record("deletion", StepStatus.SKIPPED, "simulation : les comptes désactivés "
                       "avant la date seraient supprimés")
        return
    started = time.monotonic()
    lifecycle = campaign.lifecycle_plan(context.settings, context.uai, now=context.now)
    if lifecycle.plan.is_empty:
        context.record("deletion", StepStatus.UNCHANGED, "aucun compte à supprimer")
    else:
        outcome = campaign.apply_saved_plan(context.settings, context.uai, now=context.now,
                                            actor=ACTOR, night=context.now)
        context.record("deletion", StepStatus.DONE, "", dict(outcome.counts), started)
    fingerprint = context.fingerprint()
    if fingerprint is not None:
        context.mark("deletion", fingerprint)


def _downstream(context: SchoolContext, step: str, closed: str,
                work: Callable[[], tuple[StepStatus, str, dict[str, int]]],
                extra: str = "") -> None:
    """A step fed by the store (sync, spaces, feeds, verify): gated by the calendar, skipped
    while the directory has not changed since it last finished."""
    if closed:
        context.record(step, StepStatus.SKIPPED, closed)
        return
    fingerprint = context.fingerprint()
    if fingerprint is None:
        context.record(step, StepStatus.SKIPPED, "aucun export importé pour l'instant")
        return
    signature = f"{fingerprint}|{extra}"
    if context.done(step, signature):
        context.record(step, StepStatus.UNCHANGED, "rien n'a changé depuis la dernière nuit")
        return
    if context.dry_run:
        context.record(step, StepStatus.SKIPPED, "simulation : serait lancé")
        return
    started = time.monotonic()
    try:
        status, reason, counts = work()
    except UserError as failure:
        context.record(step, StepStatus.FAILED, failure.message, started=started)
        return
    if status is StepStatus.DONE:
        context.mark(step, signature)
    context.record(step, status, reason, counts, started)


def step_sync(context: SchoolContext) -> None:
    targets = list(context.settings.targets_of(context.uai))
    if not targets:
        context.record("sync", StepStatus.SKIPPED, "aucune cible (annuaire) déclarée")
        return
    closed = "" if context.allowed.imports_to_pedagogical_server else _resumes(
        context, Milestone.PEDAGOGICAL_SERVER_RESUMES, "Imports vers le serveur pédagogique")

    def work() -> tuple[StepStatus, str, dict[str, int]]:
        reports = sync_targets(context.settings, targets, now=context.now, actor=ACTOR,
                               dry_run=False)
        failed = [f"{r.target} : {r.failure.message}" for r in reports if r.failure]
        refused = [f"{r.target} : {len(r.refusals)} entrée(s) refusée(s)" for r in reports
                   if r.refusals]
        counts = {"ecritures": sum(r.writes for r in reports)}
        if failed or refused:
            return StepStatus.FAILED, " ; ".join(failed + refused), counts
        return StepStatus.DONE, "", counts

    _downstream(context, "sync", closed, work, extra=",".join(sorted(t.name for t in targets)))


def step_spaces(context: SchoolContext) -> None:
    closed = "" if context.allowed.imports_to_pedagogical_server else _resumes(
        context, Milestone.PEDAGOGICAL_SERVER_RESUMES, "Imports vers le serveur pédagogique")

    def work() -> tuple[StepStatus, str, dict[str, int]]:
        done = sync_spaces(context.settings, context.uai, dry_run=False, now=context.now,
                           actor=ACTOR)
        return StepStatus.DONE, "", {"crees": len(done.changes.created),
                                     "retires": len(done.changes.retired)}

    _downstream(context, "spaces", closed, work)


def feeds_folder(settings: Settings, uai: str) -> Path:
    return settings.home / "flux" / uai


def step_feeds(context: SchoolContext) -> None:
    closed = "" if context.allowed.imports_to_ent else _resumes(
        context, Milestone.ENT_RESUMES, "Imports vers l'ENT")

    def work() -> tuple[StepStatus, str, dict[str, int]]:
        out = feeds_folder(context.settings, context.uai)
        ent = feed_ent(context.settings, context.uai, out / "ent", now=context.now,
                       force=False, by=None, actor=ACTOR)
        feed_gar(context.settings, [context.uai], out / "gar", now=context.now)
        feed_moodle(context.settings, context.uai, out / "moodle")
        return StepStatus.DONE, f"écrits dans {out}", {"fichiers_ent": len(ent.files)}

    _downstream(context, "feeds", closed, work)


def step_verify(context: SchoolContext) -> None:
    """verify, run again when the school's directory changed or another school of the folder
    imported a campaign (a pupil its export lists too: a double enrolment to tell here)."""
    def work() -> tuple[StepStatus, str, dict[str, int]]:
        findings = run_verification(context.settings, context.uai, now=context.now).findings
        context.findings = sum(finding.count for finding in findings)
        counts = Counter[str]()
        for finding in findings:  # what each finding counts: the report's « N constats »
            counts[finding.severity.value] += finding.count
        return StepStatus.DONE, _told(findings), dict(counts)

    others = newest_staged_hashes(open_store(context.settings.store_url))
    _downstream(context, "verify", "", work, extra=hashlib.sha256(",".join(
        f"{uai}:{sha256}" for uai, sha256 in sorted(others.items())
        if uai != context.uai).encode()).hexdigest())


# The findings the night's report names, not only counts: what another school's export says
# of this school's élèves, which nothing here shows otherwise.
TOLD_IN_REPORT = ("eleve-inscrit-ailleurs",)


def _told(findings: list[Finding]) -> str:
    told = [f for f in findings if f.code in TOLD_IN_REPORT]
    return " ; ".join(f"{finding.title} : " + " ; ".join(finding.items) for finding in told) \
        + (" (bascule verify)" if told else "")


CLEANUP_WINDOWS = (Milestone.CLASS_SPACES_CLEANUP_JULY, Milestone.CLASS_SPACES_CLEANUP_AUGUST)


def step_cleanup(context: SchoolContext) -> None:
    """The département's cleanups on their dates: class spaces and Commun in their windows,
    the folders of deleted accounts after the deletions, old imported campaigns."""
    started, done, failed = time.monotonic(), Counter[str](), []
    due = [(kind, signature) for kind, signature in _cleanups_due(context)
           if not context.done(f"cleanup-{kind}", signature)]
    if context.dry_run and due:
        context.record("cleanup", StepStatus.SKIPPED, "simulation : nettoyages ("
                       + ", ".join(CLEANUP_KINDS.get(kind, kind) for kind, _signature in due)
                       + ") seraient lancés")
        return
    for kind, signature in due:
        try:
            plan_cleanup(context.settings, context.uai, kind, now=context.now, force=False,
                         by=None, actor=ACTOR)
            plan = apply_saved_cleanup(context.settings, context.uai, now=context.now,
                                       force=False, by=None, actor=ACTOR)
        except UserError as failure:
            failed.append(f"{kind} : {failure.message}")
            continue
        context.mark(f"cleanup-{kind}", signature)
        done[kind] += len(plan.items)
    if failed:
        context.record("cleanup", StepStatus.FAILED, " ; ".join(failed), dict(done), started)
    elif due:
        context.record("cleanup", StepStatus.DONE, "", dict(done), started)
    else:
        context.record("cleanup", StepStatus.UNCHANGED, "aucun nettoyage prévu à cette date")


CLEANUP_KINDS = {"classes": "espaces des classes", "departs": "départs",
                 "imports": "anciens imports"}


def _cleanups_due(context: SchoolContext) -> list[tuple[str, str]]:
    """(kind, signature) of each cleanup the calendar allows now; the signature makes each
    run once per window, per deletion, per new campaign."""
    due = []
    for milestone in CLEANUP_WINDOWS:
        span = context.calendar.span(milestone)
        if span is not None and span.contains(context.now):
            due.append(("classes", span.start.isoformat()))
    fingerprint = context.fingerprint()
    if fingerprint is not None:
        if context.allowed.deletions:
            due.append(("departs", fingerprint))
        engine = open_store(context.settings.store_url)
        if older_campaigns(engine, context.uai, context.settings.imports_kept):
            due.append(("imports", fingerprint.split(":")[-1]))
    return due
