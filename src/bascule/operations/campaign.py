"""The yearly campaign, the one place that chains the stages: import (exports -> snapshot ->
staged), plan, approval and apply into the store, slips, accounts, lifecycle."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from sqlalchemy import Connection, Engine

from bascule.bulk import bulk_phase
from bascule.domain.calendar import Milestone, rentree_year_of
from bascule.domain.labels import profile_label
from bascule.domain.logins import LoginKind
from bascule.domain.passwords import new_passwords
from bascule.domain.policy import Permission, Role, decide
from bascule.domain.school import SchoolYear, describe_moment, local_time
from bascule.errors import ImportRejected, Problem, UnknownValue, UserError
from bascule.exports.read import read_export
from bascule.exports.records import ExportFile, ExportKind
from bascule.exports.source import BUDGET_ROOM, ExportLimits, UnreadableSource
from bascule.operations import aaf_import
from bascule.operations.backups import (
    covering_backup,
    finish_backup,
    night_backup,
    start_backup_before_apply,
)
from bascule.operations.calendars import load_calendar, next_deletions, undo_deadline_at
from bascule.operations.credentials import (
    PARTIAL,
    apply_folder_name,
    plaintext_folders,
    settle_if_idle,
    settle_partial_credentials,
    undone_applies,
)
from bascule.operations.locks import school_lock
from bascule.plan.compute import PlanOptions, context_of, plan_and_basis, prepare
from bascule.plan.evidence import NameKey, namesake_keys
from bascule.plan.lifecycle import deletion_plan
from bascule.plan.matching import REVIEW_HINT as REVIEW_HINT
from bascule.plan.model import Action as Action
from bascule.plan.model import ActionKind as ActionKind
from bascule.plan.model import Held as Held
from bascule.plan.model import PersonKind, Resolution, StoreState
from bascule.plan.model import Plan as Plan
from bascule.plan.model import PlanPurpose as PlanPurpose
from bascule.plan.prepared import Prepared
from bascule.plan.proportional import Basis
from bascule.plan.reach import Reach, reach_for
from bascule.plan.undo import can_invert
from bascule.reports.credentials import start_credentials
from bascule.reports.quality import write_quality_report as write_quality_report
from bascule.reports.slips import SlipHeader
from bascule.settings import HomeChange, Settings, init_home, remove_school_from_home
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.memo import BuildMemo, Chain
from bascule.snapshot.model import HeldRecord as HeldRecord
from bascule.snapshot.model import Snapshot
from bascule.snapshot.quality import Finding, assess_quality, summarise
from bascule.snapshot.quality import Summary as Summary
from bascule.snapshot.responsables import linkable_eleve_ids
from bascule.store.aaf_states import forget_aaf_state
from bascule.store.accounts import AccountRow, list_accounts
from bascule.store.apply import Applied, StalePlan, apply_plan
from bascule.store.audit import last_applied
from bascule.store.backups import PendingBackup
from bascule.store.basis import applied_basis, mark_basis_applied, save_basis
from bascule.store.engine import open_store
from bascule.store.hashing import PasswordOrigin, Workers, background_workers, hash_in_background
from bascule.store.history import Provenance, plans_of
from bascule.store.holds import guardians_of, holds_ending_after, person_holds
from bascule.store.kept import (
    KeptParts,
    Taken,
    encode_kept,
    inputs_fingerprint,
    kept_for,
    kept_parts,
)
from bascule.store.operators import find_actor
from bascule.store.people import journal_entry
from bascule.store.plans import (
    Approval,
    approval_of,
    approve,
    keep_plan,
    machine_now,
    mark_applied,
    pending_plan,
    save_plan,
    saved_plan_value,
)
from bascule.store.reviews import record_reviews, resolutions
from bascule.store.schools import account_count, purge_school
from bascule.store.sealed import Sealer
from bascule.store.staging import (
    Staged,
    latest_snapshot,
    latest_staged_sha256,
    newest_export_dates,
    newest_staged_years,
    stage_snapshot,
    staged_campaigns,
    staged_from_same_files,
    staged_year,
)
from bascule.store.staging import StagedCampaign as StagedCampaign
from bascule.store.state import (
    directory_version_of,
    fingerprint,
    has_passed_exit_dates,
    is_in_sync,
    load_state,
)
from bascule.store.statistics import refresh_statistics

OnFile = Callable[[Path], None]


class Staging(Enum):
    STAGED = "staged"
    UNCHANGED = "unchanged"  # the very same campaign was already staged
    CHECKED = "checked"  # asked to check only: nothing written


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOutcome:
    snapshot: Snapshot
    problems: list[Problem]
    summary: Summary
    findings: tuple[Finding, ...]
    staging: Staging
    # An AAF delivery can feed several schools of the folder: the others' outcomes.
    other_schools: tuple[ImportOutcome, ...] = ()


EXPORT_SUFFIXES = (".xml", ".zip", ".csv")


def export_paths(paths: Sequence[Path]) -> list[Path]:
    """The files to read: a folder stands for the exports it holds (.xml, .zip, .csv)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(child for child in path.iterdir() if child.is_file()
                                and child.suffix.lower() in EXPORT_SUFFIXES
                                and not child.name.startswith(".")))
        else:
            found.append(path)
    return found


def read_all(paths: Sequence[Path], on_file: OnFile, limits: ExportLimits,
             kept: Callable[[int, Path], Taken | None] = lambda _index, _path: None,
             earlier: Callable[[Path], ExportFile | None] = lambda _path: None,
             ) -> tuple[list[ExportFile], list[Problem]]:
    """Every file read, within one budget of records for the whole import: however many
    files are given, their records together stay within `limits`. `kept(index, path)` gives
    the records a previous import kept of a file with the same bytes: not read again;
    `earlier(path)` those of a file of the same name: its unchanged records are not parsed."""
    files, problems = [], []
    records_left = limits.max_records
    for index, path in enumerate(paths):
        on_file(path)
        known = kept(index, path)
        if known is not None and known.count + BUDGET_ROOM <= records_left:
            files.append(known.export)
            records_left -= known.count
            continue
        try:
            export = read_export(path, replace(limits, max_records=records_left),
                                 earlier(path))
        except UnreadableSource as unreadable:
            problems.append(unreadable.problem)
            continue
        files.append(export)
        records_left -= export.record_count
    return files, problems


def import_exports(
    settings: Settings,
    paths: Sequence[Path],
    *,
    now: datetime,
    stage: bool = True,
    actor: str = "cli",
    on_file: OnFile = lambda _path: None,
) -> ImportOutcome:
    """Read, check and stage one campaign. Raises ImportRejected, having written nothing."""
    with bulk_phase():
        return _import(settings, paths, now=now, stage=stage, actor=actor, on_file=on_file)


def _import(settings: Settings, paths: Sequence[Path], *, now: datetime, stage: bool, actor: str,
            on_file: OnFile, reuse: bool = True) -> ImportOutcome:
    """`reuse`: what the previous import kept may be taken (store/kept.py); else everything is
    read and built."""
    engine = open_store(settings.store_url)
    limits = ExportLimits(max_bytes=settings.max_export_bytes, max_ratio=settings.max_zip_ratio,
                          max_records=settings.max_export_records)
    kept, kept_from = None, None
    if stage:
        digests = [_sha256(path) for path in paths]
        same = staged_from_same_files(engine, settings.uais, digests)
        if same is not None:
            return ImportOutcome(snapshot=same.snapshot, problems=list(same.warnings),
                                 summary=summarise(same.snapshot),
                                 findings=assess_quality(same.snapshot),
                                 staging=Staging.UNCHANGED)
        previous = kept_for(engine, settings.uais, digests, limits) if reuse else None
        if previous is not None:
            kept, kept_from = previous
    partial: list[ExportFile] = []  # taken without their people and links (KeptParts.take)

    def take(index: int, path: Path) -> Taken | None:
        taken = kept.take(path.name, digests[index]) if kept else None
        if taken is not None and taken.partial:
            partial.append(taken.export)
        return taken

    files, problems = read_all(paths, on_file, limits, take,
                               (lambda path: kept.earlier(path.name)) if kept else _none_earlier)
    built = kept.built() if kept else None
    memo = BuildMemo(previous=built, fingerprint=inputs_fingerprint)
    if partial:
        assert kept is not None
        whole = _whole(files, partial, kept, memo, hold_records=not settings.refuse_on_any_error)
        if whole is None:  # undecodable: read and build everything
            return _import(settings, paths, now=now, stage=stage, actor=actor, on_file=on_file,
                           reuse=False)
        files = whole
    mixed = aaf_import.mixes_sources(files)
    if mixed is not None:
        raise ImportRejected([*problems, mixed])
    if not problems and any(export.kind is ExportKind.AAF for export in files):
        return _import_aaf(engine, settings, files, now=now, stage=stage, actor=actor)
    context = ImportContext(school_uais=settings.uais,
                            newest_staged_year=newest_staged_years(engine),
                            newest_export_date=newest_export_dates(engine),
                            today=now.date(), clock_today=utc_now().date(),
                            hold_records=not settings.refuse_on_any_error)
    snapshot, checked = build_snapshot(files, context, memo) if not problems else (None, [])
    problems += checked
    if snapshot is not None:
        problems += aaf_import.one_source_a_year(engine, snapshot)
    if snapshot is None or any(problem.is_error for problem in problems):
        raise ImportRejected(problems)
    staging = Staging.CHECKED
    if stage:
        # What the build took again, from the campaign that kept it (the plan's digests).
        chain = memo.chain(kept_from) if built is not None and kept_from else None
        with school_lock(settings.home, snapshot.uai, f"import par {actor}", engine=engine):
            staging = _stage(engine, snapshot, problems, now=now, actor=actor,
                             kept=kept_parts(files, memo.kept, limits, kept, built),
                             chain=chain)
    return ImportOutcome(snapshot=snapshot, problems=problems, summary=summarise(snapshot),
                         findings=assess_quality(snapshot), staging=staging)


def _import_aaf(engine: Engine, settings: Settings, files: list[ExportFile], *, now: datetime,
                stage: bool, actor: str) -> ImportOutcome:
    results, problems = aaf_import.read_deliveries(engine, settings, files, now)
    staged = [False] * len(results)
    if stage:
        with ExitStack() as locks:  # every school of the delivery, always in the same order
            for uai in sorted({snapshot.uai for snapshot, _state in results}):
                locks.enter_context(school_lock(settings.home, uai, f"import AAF par {actor}",
                                                engine=engine))
            staged = aaf_import.stage_deliveries(engine, results, problems, now, actor)
    outcomes = [ImportOutcome(
        snapshot=snapshot, problems=list(problems), summary=summarise(snapshot),
        findings=assess_quality(snapshot),
        staging=Staging.CHECKED if not stage else Staging.STAGED if changed
        else Staging.UNCHANGED)
        for (snapshot, _state), changed in zip(results, staged, strict=True)]
    return dataclasses.replace(outcomes[0], other_schools=tuple(outcomes[1:]))


def _stage(engine: Engine, snapshot: Snapshot, problems: list[Problem], *, now: datetime,
           actor: str, kept: KeptParts | None = None, chain: Chain | None = None) -> Staging:
    warnings = [problem for problem in problems if not problem.is_error]

    def journalled(connection: Connection) -> None:
        forget_aaf_state(connection, snapshot.uai)  # fed by the raw exports from now on
        journal_entry(connection, snapshot.uai, "import", str(snapshot.school_year),
                      actor, now, {"files": [s.name for s in snapshot.sources],
                                   "eleves": len(snapshot.active_eleves)})

    staged = stage_snapshot(engine, snapshot, now, warnings,
                            encode_kept(kept) if kept is not None else None, along=journalled,
                            chain=chain)
    return Staging.STAGED if staged else Staging.UNCHANGED


def _whole(files: list[ExportFile], partial: list[ExportFile], kept: KeptParts,
           memo: BuildMemo, *, hold_records: bool) -> list[ExportFile] | None:
    """`files`, each of the `partial` ones with all its records, but the one responsables file
    whose part the build takes again (snapshot/memo.py): its people and links are not read.
    None if some cannot be decoded."""
    by_kind = {kind: [export for export in files if export.kind is kind]
               for kind in (ExportKind.ELEVES, ExportKind.RESPONSABLES)}
    spared = None
    if len(by_kind[ExportKind.ELEVES]) == len(by_kind[ExportKind.RESPONSABLES]) == 1:
        (eleves,), (responsables,) = by_kind[ExportKind.ELEVES], by_kind[ExportKind.RESPONSABLES]
        if memo.kept_responsables(responsables.name, responsables.sha256,
                                  linkable_eleve_ids(eleves), hold_records) is not None:
            spared = responsables
    whole = []
    for export in files:
        if export is not spared and any(export is some for some in partial):
            complete = kept.whole(export)
            if complete is None:
                return None
            export = complete
        whole.append(export)
    return whole


def _none_earlier(_path: Path) -> None:
    return None


def _sha256(path: Path) -> str:
    """The file's own hash, as the staged campaign recorded it (the zip's, for a zip); read in
    blocks, so that a huge file is refused by the reader, not loaded here."""
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return ""  # unreadable: the full read will say why, with its location


def initialise(home: Path, uai: str, name: str, *, rename: bool = False
               ) -> tuple[Settings, HomeChange]:
    settings, changed = init_home(home, uai, name, rename=rename)
    open_store(settings.store_url)
    return settings, changed


def school_accounts(settings: Settings, uai: str) -> int:
    """How many accounts the school holds (any status): what `school remove` would purge."""
    return account_count(open_store(settings.store_url), school_uai(settings, uai))


def remove_school(settings: Settings, uai: str, *, purge: bool) -> int:
    """Take a school out of the folder; refused while it holds accounts unless `purge`, which
    removes every row of it from the store. Its files (credentials, spaces) stay on disk.
    Returns the number of accounts removed."""
    uai = school_uai(settings, uai)
    if settings.uais == {uai}:
        raise UserError(f"{uai} est le seul établissement de ce dossier : rien n'a été retiré.",
                        hint=f"Pour tout effacer, supprimez le dossier {settings.home}.")
    targets = [target.name for target in settings.targets_of(uai)]
    if targets:
        raise UserError(f"{uai} a encore des cibles : {', '.join(targets)}.",
                        hint="Retirez-les d'abord : bascule target remove NOM")
    engine = open_store(settings.store_url)
    accounts = account_count(engine, uai)
    if accounts and not purge:
        raise UserError(f"{uai} compte encore {accounts} compte(s) : rien n'a été retiré.",
                        hint="Pour les effacer avec tout ce que bascule garde de "
                             f"l'établissement : bascule school remove {uai} --purge")
    purge_school(engine, uai)
    remove_school_from_home(settings.home, uai)
    return accounts


def campaigns(settings: Settings) -> list[StagedCampaign]:
    return staged_campaigns(open_store(settings.store_url))


def utc_now() -> datetime:
    return datetime.now(UTC)


def school_uai(settings: Settings, uai: str | None) -> str:
    """The school a command is about: the one of the folder, or the one named with --uai."""
    if uai is not None:
        if uai not in settings.uais:
            # Said without the option's name: `bascule approve UAI` takes it as an argument.
            raise UnknownValue(f"L'établissement {uai} n'est pas dans ce dossier bascule.",
                               hint="Les établissements du dossier : " + ", ".join(
                                   f"{school.uai} ({school.name})"
                                   for school in sorted(settings.schools, key=lambda s: s.uai)))
        return uai
    if len(settings.uais) > 1:
        raise UserError("Ce dossier bascule compte plusieurs établissements.",
                        hint="Précisez lequel avec --uai : " + ", ".join(sorted(settings.uais)))
    (only,) = settings.uais
    return only


def plan_campaign(settings: Settings, uai: str, *, now: datetime) -> Plan:
    """Compute the plan for the newest staged campaign, save it, and return it. Writes nothing
    else: the directory is only read."""
    with bulk_phase():
        return _plan(settings, uai, now=now)


def _plan(settings: Settings, uai: str, *, now: datetime) -> Plan:
    engine = open_store(settings.store_url)
    staged_sha256 = latest_staged_sha256(engine, uai)
    if staged_sha256 is None:
        raise nothing_imported(uai)
    if not plan_needed(engine, uai, staged_sha256, now=now):
        with engine.connect() as connection:
            current = fingerprint(connection, uai, staged_sha256)
        return _save_empty_plan(engine, uai, current, now)
    options = PlanOptions(thresholds=settings.thresholds_of(uai),
                          login_follows_name_change=settings.login_follows_name_change)
    staged, state, basis, prepared = staged_for_plan(engine, settings, uai, options, now=now)
    plan, settled = plan_and_basis(staged.snapshot, state, now=now, basis=basis,
                                   options=options, prepared=prepared,
                                   staged=staged.content_sha256)
    with engine.begin() as connection:  # one commit: no plan saved without its basis
        save_basis(connection, uai, keep_plan(connection, plan,
                                              folder_versions=state.folder_versions), settled)
        record_reviews(connection, uai, plan.reviews, now)
    return plan


def plan_needed(engine: Engine, uai: str, staged_sha256: str, *, now: datetime) -> bool:
    """False when the directory already holds the staged campaign (nothing written since the
    apply that took it there), no exit date has passed since and no hold ran since: the plan
    would be empty."""
    applied = last_applied(engine, uai)
    with engine.connect() as connection:
        return (not is_in_sync(connection, uai, staged_sha256)
                or has_passed_exit_dates(connection, uai, local_time(now).date())
                # A hold running since the last apply: the plan lists it, or acts once it ended.
                or (applied is not None and holds_ending_after(
                    connection, uai, local_time(applied).date())))


def plan_in_force(engine: Engine, uai: str) -> Plan | None:
    """The campaign plan the directory holds: the newest applied one, as saved (its people
    held and open review cases are still so while `plan_needed` is False: a decision or a
    hold since would have made a new plan needed). None: nothing applied, or it was dropped."""
    with engine.connect() as connection:
        applied = next((one for one in plans_of(connection, uai)
                        if one.purpose == PlanPurpose.CAMPAIGN.value), None)
        if applied is None or applied.saved_plan_id is None:
            return None
        return saved_plan_value(connection, applied.saved_plan_id)


def directory_fingerprint(settings: Settings, uai: str) -> str | None:
    """Changes with every apply and every newly staged campaign (None: nothing imported)."""
    engine = open_store(settings.store_url)
    staged_sha256 = latest_staged_sha256(engine, uai)
    if staged_sha256 is None:
        return None
    with engine.connect() as connection:
        return fingerprint(connection, uai, staged_sha256)


def nothing_imported(uai: str) -> UserError:
    return UserError(f"Aucune campagne importée pour {uai}.",
                     hint="Importez d'abord les exports : bascule import FICHIER…")


def staged_and_state(engine: Engine, settings: Settings,
                      uai: str) -> tuple[Staged, StoreState]:
    """The newest staged campaign, and the directory as the plan sees it for its year."""
    staged = latest_snapshot(engine, uai)
    if staged is None:
        raise nothing_imported(uai)
    with engine.connect() as connection:
        return staged, _load_state(connection, settings, uai, staged,
                                   resolutions(connection, uai))


def staged_for_plan(engine: Engine, settings: Settings, uai: str, options: PlanOptions, *,
                    now: datetime) -> tuple[Staged, StoreState, Basis | None, Prepared]:
    """As `staged_and_state`, with the basis of the plan applied last and the campaign's
    people prepared; when the basis holds for this plan (the same rules, plan/proportional.py),
    only the people the change can reach are loaded in full (plan/reach.py), and the digests
    the staged campaign's chain gives are taken from the basis (plan/proportional.py
    `chained_digests`)."""
    staged = latest_snapshot(engine, uai)
    if staged is None:
        raise nothing_imported(uai)
    with engine.connect() as connection:
        version = directory_version_of(connection, uai)
        basis = applied_basis(connection, uai)
        decided = resolutions(connection, uai)
        reach = None
        context = context_of(staged.snapshot, options, resolutions=decided,
                             person_holds=person_holds(connection, uai),
                             quarantines=[settings.login_quarantine] * len(LoginKind))
        prepared = prepare(staged.snapshot, now, chain=staged.chain, basis=basis,
                           context=context)
        if basis is not None and basis.context == context:
            reach = reach_for(staged.snapshot, prepared, basis)
        state = _load_state(connection, settings, uai, staged, decided, reach)
        if basis is not None and directory_version_of(connection, uai) != version:
            # An apply, an undo, a hold or a decision committed while this was read: the
            # basis may not describe the directory loaded. The full path, on what is there now.
            basis = None
            state = _load_state(connection, settings, uai, staged, resolutions(connection, uai))
    return staged, state, basis, prepared


def _load_state(connection: Connection, settings: Settings, uai: str, staged: Staged,
                decided: dict[str, Resolution], reach: Reach | None = None) -> StoreState:
    return load_state(connection, uai, staged.snapshot.school_year,
                      quarantine=settings.login_quarantine,
                      staged_sha256=staged.content_sha256,
                      ines=_ines(staged.snapshot) if len(settings.uais) > 1 else frozenset(),
                      namesakes=(_namesakes(staged.snapshot) if len(settings.uais) > 1
                                 else frozenset()),
                      resolutions=decided, reach=reach)


def _ines(snapshot: Snapshot) -> frozenset[str]:
    """The INEs of the campaign's active élèves: looked up in the folder's other schools."""
    return frozenset(ine for eleve in snapshot.active_eleves
                     for ine in (eleve.ine, eleve.ine_rnie, eleve.ine_bea) if ine)


def _namesakes(snapshot: Snapshot) -> frozenset[NameKey]:
    """The `namesake_keys` of the campaign's active élèves with no INE: looked up in the
    folder's other schools by their names and birth date (plan/matching.py)."""
    return frozenset(key for eleve in snapshot.active_eleves if not eleve.any_ine
                     for key in namesake_keys(eleve.last_name, eleve.birth_name,
                                              eleve.first_name, eleve.birth_date))


def _save_empty_plan(engine: Engine, uai: str, state_fingerprint: str, now: datetime) -> Plan:
    """The directory already holds the campaign: nothing to do, and no need to compute it.
    The people the plan in force left held, its problems and its review cases are still so
    (`plan_in_force`): the empty plan lists them, as a plan computed in full would (newcomer
    11: `plan` said « Rien à faire » and no one held, while the night counted them)."""
    staged = staged_year(engine, uai)
    in_force = plan_in_force(engine, uai)
    plan = Plan(uai=uai, school_year=staged, computed_at=now,
                state_fingerprint=state_fingerprint, actions=(),
                problems=in_force.problems if in_force else (),
                held=in_force.held if in_force else (),
                reviews=in_force.reviews if in_force else ())
    save_plan(engine, plan)
    return plan


def latest_deletion_date(settings: Settings, uai: str, now: datetime) -> datetime | None:
    """The newest deletion date of the calendars that is not after `now`."""
    year = rentree_year_of(now)
    dates = [load_calendar(settings.home, y, uai).start(Milestone.DELETIONS)
             for y in (year, year - 1)]
    return max((d for d in dates if d is not None and d <= now), default=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    plan: Plan
    deleting_before: datetime | None  # the deletion date in force now, if any
    next_deletions: datetime | None  # the coming one, for the user to know when


def lifecycle_plan(settings: Settings, uai: str, *, now: datetime) -> Lifecycle:
    """The deletions the calendar allows now, saved for `apply` like any plan."""
    engine = open_store(settings.store_url)
    staged, state = staged_and_state(engine, settings, uai)
    deletion_date = latest_deletion_date(settings, uai, now)
    with engine.connect() as connection:
        plan = deletion_plan(state, school_year=staged.snapshot.school_year,
                             deletion_date=deletion_date, now=now,
                             guardians=lambda keys: guardians_of(connection, uai, keys))
    save_plan(engine, plan)
    return Lifecycle(plan=plan, deleting_before=deletion_date,
                     next_deletions=next_deletions(settings.home, uai, now))


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyOutcome:
    plan: Plan
    counts: dict[str, int]
    credentials: Path | None  # the file with the initial passwords, when accounts were created
    notices: tuple[str, ...] = ()  # folders of passwords an interrupted apply left, settled
    apply_id: int | None = None  # its id in `bascule history` (None: nothing was done)
    backup: str | None = None  # the id of the store's backup that covers it
    backup_shared: bool = False  # taken before an earlier apply by hand ([backup] reuse_hours)


class PlanFromTheFuture(UserError):
    """A plan computed for a later day (`plan --at`, `lifecycle --at`: a rehearsal) holds what
    that day allows (deletions whose date has not come, departures not yet due): applied
    earlier, it would act before the calendar and the exports allow. Days, not moments: the
    calendar's steps and the exports' dates are days, and the workers of one night, or two
    machines sharing a store, need not agree to the second."""

    def __init__(self, plan: Plan):
        day = describe_moment(plan.computed_at, clock=False)
        super().__init__(
            f"Ce plan a été calculé pour le {day} (--at) : il ne peut pas être appliqué avant "
            "ce jour. Rien n'a été appliqué.",
            hint="Pour une répétition, appliquez-le avec le même --at ; sinon recalculez-le "
                 "pour maintenant (bascule plan, ou bascule lifecycle), relisez-le, puis "
                 "appliquez-le.",
            console_message=f"Ce plan a été calculé pour le {day} (une répétition) : il ne "
                            "peut pas être appliqué avant ce jour. Rien n'a été appliqué.",
            console_hint="L'opérateur du département le recalcule pour aujourd'hui ; "
                         "relisez-le, puis appliquez-le.")


class RehearsalOfAnotherDay(UserError):
    """A plan computed with `--at` for another day (a rehearsal), applied for real on another
    day than its own: it holds that day's exit dates, holds and calendar, not today's. A plan
    computed for its own day and applied the morning after (the night's), or a rehearsal's
    applied by a rehearsal of a later day, is only said."""

    def __init__(self, plan: Plan):
        day = describe_moment(plan.computed_at, clock=False)
        super().__init__(
            f"Ce plan est une répétition, calculée pour le {day} (--at) : il ne s'applique "
            "que ce jour-là. Rien n'a été appliqué.",
            hint="Pour finir la répétition, appliquez-le avec son --at (bascule apply --yes "
                 f"--at {local_time(plan.computed_at):%Y-%m-%dT%H:%M}) ; sinon recalculez-le "
                 "pour aujourd'hui (bascule plan, ou bascule lifecycle), relisez-le, puis "
                 "appliquez-le.",
            console_message=f"Ce plan est une répétition, calculée pour le {day} : il ne "
                            "s'applique pas aujourd'hui. Rien n'a été appliqué.",
            console_hint="L'opérateur du département le recalcule pour aujourd'hui ; "
                         "relisez-le, puis appliquez-le.")


class NoPlanWaiting(UserError):
    """Nothing to approve or apply for the school: no plan computed since the last apply."""

    def __init__(self, uai: str, outcome: str = "rien n'a été appliqué."):
        super().__init__(f"Aucun plan n'est en attente pour cet établissement : {outcome}",
                         hint=f"Préparez-le d'abord : bascule plan --uai {uai}, puis relisez-le.",
                         console_hint="Le plan se prépare après l'import des exports ; "
                                      "revenez quand il est en attente.")


class PlanOfAPastYear(UserError):
    """A campaign's plan computed for a day of its school year (a rehearsal's `--at`) and
    applied once that year is over, without the `--at`: it would create and move the accounts
    of a year gone by."""

    def __init__(self, plan: Plan):
        day = describe_moment(plan.computed_at, clock=False)
        ended = plan.school_year.last_day
        super().__init__(
            f"Ce plan, calculé pour le {day}, est celui de l'année scolaire "
            f"{plan.school_year}, terminée le {ended:%d/%m/%Y}. Rien n'a été appliqué.",
            hint="Pour une répétition, appliquez-le avec son --at "
                 f"(bascule apply --yes --at {local_time(plan.computed_at):%Y-%m-%dT%H:%M}) ; "
                 "sinon importez les exports de l'année en cours, recalculez le plan et "
                 "relisez-le.",
            console_message=f"Ce plan est celui de l'année scolaire {plan.school_year}, "
                            f"terminée le {ended:%d/%m/%Y}. Rien n'a été appliqué.",
            console_hint="L'opérateur du département importe les exports de l'année en cours "
                         "et recalcule le plan ; relisez-le, puis appliquez-le.")


class PlanOfAFutureYear(UserError):
    """A campaign's plan for a school year that has not begun on the apply's day: it would
    create and move the accounts of a year to come (exports of the wrong year, or made far too
    early). Applied only when the operator confirms it."""

    def __init__(self, plan: Plan, now: datetime):
        current = SchoolYear.containing(local_time(now).date())
        super().__init__(
            f"Ce plan est celui de l'année scolaire {plan.school_year}, qui n'a pas encore "
            f"commencé (l'année en cours est {current}). Rien n'a été appliqué.",
            hint="Vérifiez l'année scolaire des exports importés (bascule status) : s'ils ne "
                 "sont pas de l'année en cours, importez les bons, recalculez le plan et "
                 "relisez-le ; si c'est bien voulu, confirmez avec "
                 "bascule apply --yes --allow-future-year.",
            console_message=f"Ce plan est celui de l'année scolaire {plan.school_year}, qui "
                            f"n'a pas encore commencé (l'année en cours est {current}). Rien "
                            "n'a été appliqué.",
            console_hint="L'opérateur du département vérifie l'année des exports importés ; "
                         "il peut confirmer ce plan en ligne de commande "
                         "(bascule apply --yes --allow-future-year).")


class MassLeaveRefused(UserError):
    """An undo reads no export: its refusal says nothing of a truncated one."""

    def __init__(self, plan: Plan):
        detail = " ; ".join(f"{leave.unexpected} comptes « {profile_label(leave.profile)} » sur "
                           f"{leave.active} actifs" for leave in plan.mass_leaves)
        confirm = ("confirmez avec bascule apply --yes --allow-mass-leave --reason \"…\" (la "
                   "raison est journalisée).")
        in_console = ("cochez « Ces départs sont réels » sur la page Plan et donnez leur raison "
                      "(journalisée).")
        if plan.purpose is PlanPurpose.UNDO:
            super().__init__("Rien n'a été appliqué : le plan d'annulation retirerait ou "
                             f"désactiverait trop de comptes d'un coup ({detail}).",
                             hint=f"Si c'est bien ce que vous voulez annuler, {confirm}",
                             console_hint="Si c'est bien ce que vous voulez annuler, "
                                          + in_console)
            return
        super().__init__(
            f"Rien n'a été appliqué : le plan désactiverait trop de comptes d'un coup ({detail}). "
            "L'export est peut-être tronqué ou d'un autre établissement.",
            hint="Vérifiez les exports et relancez l'import ; si ces départs sont réels, "
                 + confirm,
            console_hint="Vérifiez les exports avec le secrétariat ; si ces départs sont "
                         "réels, " + in_console)


def apply_saved_plan(
    settings: Settings, uai: str, *, now: datetime, actor: str,
    allow_mass_leave: bool = False, on_hashed: Callable[[int], None] = lambda _count: None,
    approved_sha256: str | None = None, mass_leave_reason: str | None = None,
    night: datetime | None = None, allow_future_year: bool = False,
) -> ApplyOutcome:
    """Execute the saved plan exactly, in one transaction; refuse a stale one, and one that
    disables too many accounts unless told it is real. With `approved_sha256`, only the plan
    of that hash, approved: another plan saved meanwhile is refused, never applied unread.
    One apply (or import) of a school at a time: a second one waits, then is refused.
    Confirmed mass departures are journaled with `mass_leave_reason` (the CLI requires one).
    The store is backed up first (`[backup] before_apply`): by hand, a copy of its own made while
    it writes; in a night (`night`: its moment), the night's one backup (`night_backup`)."""
    pool = background_workers(inline=not _creates_accounts(settings, uai))
    with pool as workers, school_lock(  # workers first: they hold no lock
            settings.home, uai, f"application du plan par {actor}",
            engine=open_store(settings.store_url)):
        return _apply_locked(settings, uai, workers, now=now, actor=actor, on_hashed=on_hashed,
                             approved_sha256=approved_sha256, night=night,
                             mass_leave_reason=(mass_leave_reason or "sans motif donné")
                             if allow_mass_leave else None,
                             allow_future_year=allow_future_year)


def _creates_accounts(settings: Settings, uai: str) -> bool:
    """Whether the pending plan creates accounts, read before the lock: without, there is
    nothing to hash nor slip to write, and no pool of processes to start (a plan saved
    meanwhile that creates some is hashed in this process, only more slowly)."""
    pending = pending_plan(open_store(settings.store_url), uai)
    return pending is None or any(a.kind is ActionKind.CREATE for a in pending[1].actions)


def _apply_locked(
    settings: Settings, uai: str, workers: Workers, *, now: datetime, actor: str,
    on_hashed: Callable[[int], None], approved_sha256: str | None, mass_leave_reason: str | None,
    night: datetime | None, allow_future_year: bool = False,
) -> ApplyOutcome:
    engine = open_store(settings.store_url)
    notices = tuple(settle_partial_credentials(engine, settings.home, uai))
    plan_id, plan, staged_sha256, plan_sha256 = _plan_to_apply(
        engine, uai, actor=actor, now=now, approved_sha256=approved_sha256,
        mass_leave_reason=mass_leave_reason, allow_future_year=allow_future_year)
    created = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    passwords = new_passwords({a.person: a.profile for a in created}, settings.password_policy)
    stamp = apply_folder_name(now)
    folder = fresh_folder(settings.home / "credentials" / uai / stamp)
    partial = folder.with_name(folder.name + ".partial")
    try:
        backup, shared, applied = _apply_while_hashing(
            settings, plan, workers, passwords, partial, staged_sha256=staged_sha256,
            plan_id=plan_id, actor=actor, now=now, on_hashed=on_hashed,
            mass_leave_reason=mass_leave_reason, night=night)
    except BaseException:
        workers.stop()  # no slip is written past this point
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if created:
        partial.rename(folder)
    with engine.begin() as connection:  # unless another wrote since, the basis holds
        mark_applied(connection, plan_id, now)
        mark_basis_applied(connection, uai, plan_sha256, applied.version)
    refresh_statistics(engine, len(plan.actions))  # past the commit and the slips
    return ApplyOutcome(plan=plan, counts=applied.counts,
                        credentials=folder / "comptes.csv" if created else None,
                        notices=notices, apply_id=applied.apply_id,
                        backup=backup, backup_shared=shared)


def _plan_to_apply(engine: Engine, uai: str, *, actor: str, now: datetime,
                   approved_sha256: str | None, mass_leave_reason: str | None,
                   allow_future_year: bool = False) -> tuple[int, Plan, str, str]:
    """The saved plan (its id, the staged campaign's hash it was computed from, its own
    hash), approved and still true of the store; or the UserError that says why not."""
    pending = pending_plan(engine, uai)
    staged_sha256 = latest_staged_sha256(engine, uai)  # the campaign itself is not needed
    if pending is None or staged_sha256 is None:
        raise NoPlanWaiting(uai)
    plan_id, plan = pending
    approval = approval_of(engine, plan_id)
    refuse_out_of_its_day(plan, approval, now, allow_future_year=allow_future_year)
    if plan.mass_leaves and mass_leave_reason is None:
        raise MassLeaveRefused(plan)
    if approved_sha256 is not None and (approval.content_sha256 != approved_sha256
                                        or approval.approved_by is None):
        raise UserError("Le plan en attente a changé depuis votre lecture : rien n'a été "
                        "appliqué.", hint="Rechargez la page Plan et relisez-le.")
    if approval.approved_by is None:  # the operator who applies approves it, by applying
        approve(engine, plan_id, approval.content_sha256, actor, now)
    with engine.connect() as connection:
        if fingerprint(connection, uai, staged_sha256) != plan.state_fingerprint:
            raise StalePlan()
    return plan_id, plan, staged_sha256, approval.content_sha256


def _apply_while_hashing(
    settings: Settings, plan: Plan, workers: Workers, passwords: dict[str, str],
    partial: Path, *, staged_sha256: str, plan_id: int, actor: str, now: datetime,
    on_hashed: Callable[[int], None], mass_leave_reason: str | None, night: datetime | None,
) -> tuple[str | None, bool, Applied]:
    """The workers hash the new passwords, then write their slips into `partial`, while this
    thread seals them for the targets and writes the plan, and another copies the store (the
    backup, its id returned, and whether an earlier apply by hand took it); the hashes are
    written last, and the apply commits once the slips are written and the backup made: if
    anything fails, nothing is applied."""
    created = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    hashes = hash_in_background(workers, passwords, on_hashed, PasswordOrigin.GENERATED)
    slips_written = (start_credentials(partial, _slip_header(settings, plan), created,
                                       passwords, workers.submit) if created else _nothing)
    sealed = _sealed_for_targets(settings, plan.uai, created, passwords)
    backup_id, backup = _backup_for(settings, plan, actor=actor, now=now, night=night)

    def before_commit() -> None:
        """The slips written (while the hashes and the change record were), the backup made:
        the apply commits only then, and says it is done only once committed."""
        slips_written()
        if backup is not None:
            finish_backup(settings, backup, now=now)

    with _no_copy_left_running(settings, backup, now):
        applied = apply_plan(
            open_store(settings.store_url), plan, staged_sha256=staged_sha256,
            password_hashes=hashes, sealed_passwords=sealed, actor=actor,
            now=now, mass_leave_reason=mass_leave_reason if plan.mass_leaves else None,
            provenance=Provenance(saved_plan_id=plan_id, backup=backup_id),
            before_commit=before_commit)
    return backup_id, backup_id is not None and backup is None and night is None, applied


def _backup_for(settings: Settings, plan: Plan, *, actor: str, now: datetime,
                night: datetime | None) -> tuple[str | None, PendingBackup | None]:
    """The id of the backup that covers the apply, and its copy still being made (by hand:
    the apply waits for it before committing); none for a plan without actions. By hand, a
    recent backup covers a plan that undo will be able to take back (`covering_backup`)."""
    if not plan.actions:
        return None, None
    if night is not None:
        taken = night_backup(settings, night=night, actor=actor, now=now)
        return (taken.id if taken else None), None
    covering = (covering_backup(settings, now=now)
                if _undoable_for_a_while(settings, plan, now) else None)
    if covering is not None:
        return covering.id, None
    pending = start_backup_before_apply(settings, plan.uai, actor=actor, now=now)
    return (pending.id if pending else None), pending


def _undoable_for_a_while(settings: Settings, plan: Plan, now: datetime) -> bool:
    """Whether `bascule undo` will take this apply back for at least `[backup] reuse_hours`:
    not an undo (never undone itself), no transfer between schools, and an undo deadline that
    far. Otherwise the only way back is a backup, taken just before it."""
    if plan.purpose is PlanPurpose.UNDO or not can_invert(plan):
        return False
    deadline = undo_deadline_at(settings, plan.uai, now)
    return deadline is None or deadline > now + settings.backup_reuse


@contextmanager
def _no_copy_left_running(settings: Settings, backup: PendingBackup | None,
                          now: datetime) -> Iterator[None]:
    """An apply that fails waits for its backup's copy (a copy made stays, as any backup; one
    that failed too says nothing more: the apply's error is the one)."""
    try:
        yield
    except BaseException:
        if backup is not None:
            with suppress(Exception):
                finish_backup(settings, backup, now=now)
        raise


def _nothing() -> None:
    return None


def sealer_for(settings: Settings, uai: str) -> Sealer | None:
    """The key that keeps new passwords for the school's directory targets, when it has any:
    without targets, no copy of a password is kept at all."""
    return Sealer.from_key_file(settings.sealing_key) if settings.targets_of(uai) else None


def _sealed_for_targets(settings: Settings, uai: str, created: list[Action],
                        passwords: dict[str, str]) -> dict[str, str]:
    """Élèves and staff only: responsables are not on the pedagogical network."""
    sealer = sealer_for(settings, uai)
    if sealer is None:
        return {}
    return {a.person: sealer.seal(passwords[a.person]) for a in created
            if a.person_kind is not PersonKind.RESPONSABLE}


def _year_over_since_computed(plan: Plan, now: datetime) -> bool:
    """A campaign's plan computed while its school year ran (a rehearsal's `--at`), applied on
    a day that year is over. A plan computed once it was over said so itself (the notice
    below), to the person who then chose to apply it."""
    return (plan.purpose is PlanPurpose.CAMPAIGN and bool(past_year_notices(plan, now))
            and not past_year_notices(plan, plan.computed_at))


def refuse_out_of_its_day(plan: Plan, approval: Approval, now: datetime, *,
                          allow_future_year: bool = False) -> None:
    """The UserError of a plan applied on a day it was not computed for: a rehearsal's of a
    later day (PlanFromTheFuture) or of another day (RehearsalOfAnotherDay), a campaign's of a
    school year over since (PlanOfAPastYear), or not begun unless confirmed (PlanOfAFutureYear).
    Its approval signs its content, on any day."""
    if local_time(plan.computed_at).date() > local_time(now).date():
        raise PlanFromTheFuture(plan)
    if _year_over_since_computed(plan, now):
        raise PlanOfAPastYear(plan)
    if rehearsal_out_of_its_day(plan.computed_at, approval, now):
        raise RehearsalOfAnotherDay(plan)
    if year_not_started(plan, now) and not allow_future_year:
        raise PlanOfAFutureYear(plan, now)


def rehearsal_out_of_its_day(computed_at: datetime, approval: Approval, now: datetime) -> bool:
    """A rehearsal's plan (computed for `computed_at`) applied on another day than its own,
    unless by a rehearsal of a later day (the rehearsed night after the one that held it): that
    one acts as the real nights do, the plan applied as it is and said (earlier_day_notices)."""
    planned, applied = local_time(computed_at).date(), local_time(now).date()
    if not approval.rehearsal(computed_at) or planned == applied:
        return False
    machine = machine_now()
    return not (applied > planned and machine is not None
                and local_time(machine).date() != applied)


def earlier_day_notices(plan: Plan, approval: Approval, now: datetime) -> list[str]:
    """A plan computed for an earlier day than its apply's (the evening before, or a plan
    saved before the store kept its real day): applied as it is, with that day's exit
    dates, holds and calendar. A known rehearsal's is refused instead (no notice)."""
    if (local_time(plan.computed_at).date() >= local_time(now).date()
            or rehearsal_out_of_its_day(plan.computed_at, approval, now)):
        return []
    return [f"ce plan a été calculé pour le {describe_moment(plan.computed_at, clock=False)} : "
            "il est appliqué tel quel, avec les dates de sortie, les retenues et le calendrier "
            "de ce jour-là. Calculé avec --at pour une répétition, il s'applique avec le même "
            "--at ; pour tenir compte d'aujourd'hui, recalculez-le et relisez-le d'abord."]


def future_apply_notices(now: datetime) -> list[str]:
    """An apply dated later than today (a rehearsal's `--at`) is real all the same: said,
    since holds, the calendar and exit dates are read on that day, not today's."""
    day = local_time(now).date()
    if day <= local_time(utc_now()).date():
        return []
    return [f"cette application est datée du {describe_moment(now, clock=False)} (--at) mais "
            "elle est réelle : l'annuaire, le journal, l'historique et les fichiers de mots de "
            "passe sont modifiés, à cette date ; les retenues, le calendrier et les dates de "
            "sortie sont lus ce jour-là, pas aujourd'hui."]


def past_year_notices(plan: Plan, now: datetime) -> list[str]:
    """A plan for a school year already over on `now`'s day (last year's exports imported
    again in November): said, since it would create and move accounts for a past year."""
    ended = plan.school_year.last_day
    if local_time(now).date() <= ended:
        return []
    return [f"Ce plan est celui de l'année scolaire {plan.school_year}, terminée le "
            f"{ended:%d/%m/%Y} : les exports importés ne sont pas ceux de l'année en cours. "
            "Importez-les avant d'appliquer quoi que ce soit."]


def year_not_started(plan: Plan, now: datetime) -> bool:
    """A campaign's plan for a school year that has not begun on `now`'s day (it begins on 1
    August, when the next year's exports may come): next year's exports, or a wrong year."""
    return (plan.purpose is PlanPurpose.CAMPAIGN
            and plan.school_year > SchoolYear.containing(local_time(now).date()))


def future_year_notices(plan: Plan, now: datetime) -> list[str]:
    """A plan for a school year that has not begun on `now`'s day (a 2027-2028 export imported
    in November 2026): said by `plan`; `apply` refuses it unless confirmed."""
    if not year_not_started(plan, now):
        return []
    return [f"Ce plan est celui de l'année scolaire {plan.school_year}, qui n'a pas encore "
            f"commencé (le {describe_moment(now, clock=False)}, l'année en cours est "
            f"{SchoolYear.containing(local_time(now).date())}) : vérifiez l'année scolaire "
            "des exports importés. bascule apply refusera ce plan sans --allow-future-year."]


def credentials_notices(settings: Settings, uai: str) -> list[str]:
    """For `plan` and `status`: the folders of passwords an interrupted apply left, settled
    (unless an apply is running), and every folder of initial passwords still in clear."""
    engine = open_store(settings.store_url)
    notices = settle_if_idle(engine, settings.home, uai)
    folders = [folder for folder in plaintext_folders(settings.home, uai)
               if not folder.name.endswith(PARTIAL)]
    undone = undone_applies(engine, uai)
    notices += [f"Mots de passe initiaux en clair dans {folder}, d'une application annulée "
                "depuis : ses comptes ont été retirés, ne distribuez pas ces fiches ; "
                "supprimez le dossier." for folder in folders if folder.name[:15] in undone]
    folders = [folder for folder in folders if folder.name[:15] not in undone]
    if len(folders) > 1:  # one line for the school, not one per apply (a département's folder)
        return [*notices,
                f"Mots de passe initiaux en clair dans {len(folders)} dossiers de "
                f"{folders[0].parent} ({', '.join(folder.name for folder in folders)}) : "
                "distribuez-les, puis supprimez ces dossiers."]
    return notices + [f"Mots de passe initiaux en clair dans {folder} : distribuez-les, puis "
                      "supprimez le dossier." for folder in folders]


def fresh_folder(wanted: Path) -> Path:
    """The folder, or wanted-2, wanted-3… when an apply of the same second already used it."""
    folder, number = wanted, 1
    while folder.exists() or folder.with_name(folder.name + ".partial").exists():
        number += 1
        folder = wanted.with_name(f"{wanted.name}-{number}")
    return folder


def _slip_header(settings: Settings, plan: Plan) -> SlipHeader:
    return SlipHeader(school_name=school_name(settings, plan.uai), uai=plan.uai,
                      school_year=str(plan.school_year))


def accounts(settings: Settings, uai: str) -> list[AccountRow]:
    return list_accounts(open_store(settings.store_url), uai)


def school_name(settings: Settings, uai: str) -> str:
    return {school.uai: school.name for school in settings.schools}[uai]


def force_past_gate(settings: Settings, uai: str, *, subject: str, now: datetime, force: bool,
                    by: str | None, actor: str, closed: str, how: str,
                    detail: dict[str, object]) -> str:
    """The calendar says no: refuse with `closed` (which says until when), unless forced by a
    role the policy allows to, which is journaled; the policy's reason then."""
    if not force:
        raise UserError(closed, hint=f"Attendez, ou forcez ({how}) : réservé aux opérateurs du "
                                     "département ; le forçage est journalisé.")
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        roles = (find_actor(connection, uai, by).roles if by
                 else frozenset({Role.OPERATEUR}))
        decision = decide(roles, Permission.FORCE_CALENDAR_GATE)
        if not decision.allowed:
            raise UserError(f"Forçage refusé : {decision.reason}", hint=closed)
        journal_entry(connection, uai, "forçage", subject, by or actor, now,
                      {**detail, "motif": decision.reason})
    return decision.reason
