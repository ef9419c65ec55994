"""The one place that chains the stages. Used by the CLI (and later the web console)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from sqlalchemy import Engine

from bascule.calendars import load_calendar
from bascule.directory.accounts import AccountRow, list_accounts
from bascule.directory.apply import StalePlan, apply_plan
from bascule.directory.audit import AuditFilter, JournalEntry, journal_entries
from bascule.directory.hashing import hash_password, hash_passwords, verify_password
from bascule.directory.people import (
    DelegationRow,
    Person,
    account_state,
    find_person,
    grant,
    journal_entry,
    list_delegations,
    overrides,
    password_hash_of,
    record_override,
    revoke,
    set_password_hash,
    structure_members,
)
from bascule.directory.plans import mark_applied, pending_plan, save_plan
from bascule.directory.state import fingerprint, is_in_sync, load_state
from bascule.directory.store import (
    StagedCampaign,
    latest_snapshot,
    latest_staged_sha256,
    newest_staged_years,
    open_store,
    stage_snapshot,
    staged_campaigns,
    staged_from_same_files,
    staged_year,
)
from bascule.domain.access import CLOSED_PROFILES, AccessDecision, ClosureOverride, ent_access
from bascule.domain.calendar import Milestone, Span, rentree_year_of
from bascule.domain.passwords import generate_password, meets_policy
from bascule.domain.policy import DELEGATIONS, Permission, PolicyOptions, Subject, decide
from bascule.domain.school import SchoolYear, local_time
from bascule.errors import ImportRejected, Problem, UserError
from bascule.exports.read import read_export
from bascule.exports.records import ExportFile
from bascule.exports.source import UnreadableSource
from bascule.plan.compute import PlanOptions, compute_plan
from bascule.plan.lifecycle import deletion_plan
from bascule.plan.model import ActionKind, Plan
from bascule.reports.credentials import write_credentials, write_private
from bascule.reports.slips import Slip, SlipHeader, division_slips, slip_file_name
from bascule.settings import Settings, init_home
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.model import Snapshot
from bascule.snapshot.quality import Finding, Summary, assess_quality, summarise

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


def read_all(paths: Sequence[Path], on_file: OnFile) -> tuple[list[ExportFile], list[Problem]]:
    files, problems = [], []
    for path in paths:
        on_file(path)
        try:
            files.append(read_export(path))
        except UnreadableSource as unreadable:
            problems.append(unreadable.problem)
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
    engine = open_store(settings.store_url)
    if stage:
        same = staged_from_same_files(engine, settings.uais, [_sha256(path) for path in paths])
        if same is not None:
            return ImportOutcome(snapshot=same.snapshot, problems=list(same.warnings),
                                 summary=summarise(same.snapshot),
                                 findings=assess_quality(same.snapshot),
                                 staging=Staging.UNCHANGED)
    files, problems = read_all(paths, on_file)
    context = ImportContext(school_uais=settings.uais,
                            newest_staged_year=newest_staged_years(engine),
                            today=now.date())
    snapshot, checked = build_snapshot(files, context) if not problems else (None, [])
    problems += checked
    if snapshot is None:
        raise ImportRejected(problems)
    staging = Staging.CHECKED
    if stage:
        warnings = [problem for problem in problems if not problem.is_error]
        staging = Staging.STAGED if stage_snapshot(engine, snapshot, now, warnings).staged else (
            Staging.UNCHANGED)
        if staging is Staging.STAGED:
            with engine.begin() as connection:
                journal_entry(connection, snapshot.uai, "import", str(snapshot.school_year),
                              actor, now, {"files": [s.name for s in snapshot.sources],
                                           "eleves": len(snapshot.active_eleves)})
    return ImportOutcome(snapshot=snapshot, problems=problems, summary=summarise(snapshot),
                         findings=assess_quality(snapshot), staging=staging)


def _sha256(path: Path) -> str:
    """The file's own hash, as the staged campaign recorded it (the zip's, for a zip)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # unreadable: the full read will say why, with its location


def initialise(home: Path, uai: str, name: str) -> tuple[Settings, bool]:
    settings, changed = init_home(home, uai, name)
    open_store(settings.store_url)
    return settings, changed


def campaigns(settings: Settings) -> list[StagedCampaign]:
    return staged_campaigns(open_store(settings.store_url))


def utc_now() -> datetime:
    return datetime.now(UTC)


def school_uai(settings: Settings, uai: str | None) -> str:
    """The school a command is about: the one of the folder, or the one named with --uai."""
    if uai is not None:
        if uai not in settings.uais:
            raise UserError(f"L'établissement {uai} n'est pas dans ce dossier bascule.",
                            hint="Les établissements du dossier : "
                            + ", ".join(sorted(settings.uais)))
        return uai
    if len(settings.uais) > 1:
        raise UserError("Ce dossier bascule compte plusieurs établissements.",
                        hint="Précisez lequel avec --uai : " + ", ".join(sorted(settings.uais)))
    (only,) = settings.uais
    return only


def plan_campaign(settings: Settings, uai: str, *, now: datetime) -> Plan:
    """Compute the plan for the newest staged campaign, save it, and return it. Writes nothing
    else: the directory is only read."""
    engine = open_store(settings.store_url)
    staged_sha256 = latest_staged_sha256(engine, uai)
    if staged_sha256 is None:
        raise UserError(f"Aucune campagne importée pour {uai}.",
                        hint="Importez d'abord les exports : bascule import FICHIER…")
    with engine.connect() as connection:
        if is_in_sync(connection, uai, staged_sha256):
            state_fingerprint = fingerprint(connection, uai, staged_sha256)
        else:
            state_fingerprint = None
    if state_fingerprint is not None:
        return _save_empty_plan(engine, uai, state_fingerprint, now)
    staged = latest_snapshot(engine, uai)
    assert staged is not None  # its hash was just read
    with engine.connect() as connection:
        state = load_state(connection, uai, staged.snapshot.school_year,
                           quarantine=settings.login_quarantine,
                           staged_sha256=staged.content_sha256)
    plan = compute_plan(staged.snapshot, state, now=now, options=PlanOptions(
        mass_leave_threshold=settings.mass_leave_threshold,
        login_follows_name_change=settings.login_follows_name_change))
    save_plan(engine, plan)
    return plan


def _save_empty_plan(engine: Engine, uai: str, state_fingerprint: str, now: datetime) -> Plan:
    """The directory already holds the campaign: nothing to do, and no need to compute it."""
    staged = staged_year(engine, uai)
    plan = Plan(uai=uai, school_year=staged, computed_at=now,
                state_fingerprint=state_fingerprint, actions=())
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
    staged = latest_snapshot(engine, uai)
    if staged is None:
        raise UserError(f"Aucune campagne importée pour {uai}.",
                        hint="Importez d'abord les exports : bascule import FICHIER…")
    deletion_date = latest_deletion_date(settings, uai, now)
    with engine.connect() as connection:
        state = load_state(connection, uai, staged.snapshot.school_year,
                           quarantine=settings.login_quarantine,
                           staged_sha256=staged.content_sha256)
    plan = deletion_plan(state, school_year=staged.snapshot.school_year,
                         deletion_date=deletion_date, now=now)
    save_plan(engine, plan)
    coming = [load_calendar(settings.home, y, uai).start(Milestone.DELETIONS)
              for y in (rentree_year_of(now), rentree_year_of(now) + 1)]
    return Lifecycle(plan=plan, deleting_before=deletion_date,
                     next_deletions=min((d for d in coming if d is not None and d > now),
                                        default=None))


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyOutcome:
    plan: Plan
    counts: dict[str, int]
    credentials: Path | None  # the file with the initial passwords, when accounts were created


class MassLeaveRefused(UserError):
    def __init__(self, plan: Plan):
        detail = "; ".join(f"{leave.unexpected} comptes « {leave.profile} » sur {leave.active} "
                           "actifs" for leave in plan.mass_leaves)
        super().__init__(
            f"Rien n'a été appliqué : le plan désactiverait trop de comptes d'un coup ({detail}). "
            "L'export est peut-être tronqué ou d'un autre établissement.",
            hint="Vérifiez les exports et relancez l'import ; si ces départs sont réels, "
                 "confirmez avec bascule apply --yes --allow-mass-leave.")


def apply_saved_plan(
    settings: Settings, uai: str, *, now: datetime, actor: str,
    allow_mass_leave: bool = False, on_hashed: Callable[[int], None] = lambda _count: None,
) -> ApplyOutcome:
    """Execute the saved plan exactly, in one transaction; refuse a stale one, and one that
    disables too many accounts unless told it is real."""
    engine = open_store(settings.store_url)
    pending = pending_plan(engine, uai)
    staged = latest_snapshot(engine, uai)
    if pending is None or staged is None:
        raise UserError("Aucun plan à appliquer.",
                        hint="Calculez-le et relisez-le d'abord : bascule plan")
    plan_id, plan = pending
    if plan.mass_leaves and not allow_mass_leave:
        raise MassLeaveRefused(plan)
    with engine.connect() as connection:
        if fingerprint(connection, uai, staged.content_sha256) != plan.state_fingerprint:
            raise StalePlan()
    created = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    passwords = {a.person: generate_password(settings.password_policy) for a in created}
    hashes = hash_passwords(passwords, on_hashed)
    stamp = f"{local_time(now):%Y%m%d-%H%M%S}"
    folder = _fresh_folder(settings.home / "credentials" / uai / stamp)
    partial = folder.with_name(folder.name + ".partial")
    if created:
        write_credentials(partial, _slip_header(settings, plan), created, passwords)
    try:
        applied = apply_plan(engine, plan, staged_sha256=staged.content_sha256,
                             password_hashes=hashes, actor=actor, now=now)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if created:
        partial.rename(folder)
    mark_applied(engine, plan_id, now)
    return ApplyOutcome(plan=plan, counts=applied.counts,
                        credentials=folder / "comptes.csv" if created else None)


def _fresh_folder(wanted: Path) -> Path:
    """The folder, or wanted-2, wanted-3… when an apply of the same second already used it."""
    folder, number = wanted, 1
    while folder.exists() or folder.with_name(folder.name + ".partial").exists():
        number += 1
        folder = wanted.with_name(f"{wanted.name}-{number}")
    return folder


def _slip_header(settings: Settings, plan: Plan) -> SlipHeader:
    return SlipHeader(school_name=_school_name(settings, plan.uai), uai=plan.uai,
                      school_year=str(plan.school_year))


def audit(settings: Settings, uai: str, wanted: AuditFilter) -> list[JournalEntry]:
    return journal_entries(open_store(settings.store_url), uai, wanted)


def accounts(settings: Settings, uai: str) -> list[AccountRow]:
    return list_accounts(open_store(settings.store_url), uai)


def _policy_options(settings: Settings) -> PolicyOptions:
    return PolicyOptions(teachers_reset_own_eleves_only=settings.teachers_reset_own_eleves_only)


def _subject(actor: Person, subject: Person) -> Subject:
    return Subject(profile=subject.profile, is_actor=actor.key == subject.key,
                   shares_a_structure=bool(actor.structures & subject.structures))


def _require(actor: Person, subject: Person, permission: Permission,
             settings: Settings) -> str:
    """The policy's reason when allowed; a French refusal (exit 1) otherwise."""
    if actor.status != "active":
        raise UserError(f"Refusé : le compte de {actor.label} ({actor.login}) n'est pas actif.")
    decision = decide(actor.roles, permission, _subject(actor, subject), _policy_options(settings))
    if not decision.allowed:
        raise UserError(f"Refusé à {actor.label} ({actor.login}) : {decision.reason}",
                        hint="Seul un rôle ou une délégation qui le permet peut le faire : "
                             "bascule policy matrix les liste.")
    return decision.reason


def reset_password(settings: Settings, uai: str, login_name: str, *, by: str,
                   now: datetime) -> tuple[Person, str]:
    """A new password for someone else, if the policy allows it; shown once, stored hashed,
    to be changed at the next login."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor, subject = find_person(connection, uai, by), find_person(connection, uai, login_name)
        reason = _require(actor, subject, Permission.RESET_PASSWORD, settings)
        if subject.status != "active":
            raise UserError(f"Le compte de {subject.label} ({subject.login}) est "
                            f"{'supprimé' if subject.status == 'deleted' else 'désactivé'} : "
                            "il n'y a pas de mot de passe à réinitialiser.")
        password = generate_password(settings.password_policy)
        set_password_hash(connection, subject, hash_password(password))
        journal_entry(connection, uai, "password_reset", subject.key, actor.login, now,
                      {"login": subject.login, "allowed_as": reason})
    return subject, password


def delegations(settings: Settings, uai: str) -> list[DelegationRow]:
    with open_store(settings.store_url).connect() as connection:
        return list_delegations(connection, uai)


def change_own_password(settings: Settings, uai: str, login_name: str, *, current: str,
                        new: str, now: datetime) -> Person:
    """Self-service: with the current password, a new one that meets the policy."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        person = find_person(connection, uai, login_name)
        _require(person, person, Permission.CHANGE_OWN_PASSWORD, settings)
        if not verify_password(password_hash_of(connection, person), current):
            raise UserError("Le mot de passe actuel n'est pas le bon : rien n'a changé.",
                            hint="Un oubli ? Un enseignant ou le référent numérique peut le "
                                 "réinitialiser.")
        if not meets_policy(new, settings.password_policy):
            policy = settings.password_policy
            raise UserError("Le nouveau mot de passe est trop faible : rien n'a changé.",
                            hint=f"Au moins {policy.min_length} caractères, avec "
                                 f"{policy.min_classes} sortes parmi majuscules, minuscules, "
                                 "chiffres et caractères spéciaux.")
        set_password_hash(connection, person, hash_password(new), origin="changed")
        journal_entry(connection, uai, "password_change", person.key, person.login, now,
                      {"login": person.login})
    return person


def change_delegation(settings: Settings, uai: str, login_name: str, name: str, *, by: str,
                      now: datetime, granted: bool) -> tuple[Person, bool]:
    """Grant or revoke a named delegation; True when something changed."""
    if name not in DELEGATIONS:
        raise UserError(f"« {name} » n'est pas une délégation connue.",
                        hint="Délégations : " + " ; ".join(DELEGATIONS))
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor, subject = find_person(connection, uai, by), find_person(connection, uai, login_name)
        _require(actor, subject, Permission.MANAGE_DELEGATIONS, settings)
        change = grant if granted else revoke
        return subject, change(connection, uai, subject, name, actor, now)


def set_closure(settings: Settings, uai: str, profile: str, *, reopen: bool, by: str,
                now: datetime) -> Span:
    """The direction reopens the ENT early for a profile, or closes it again, during the
    rentrée closure; returns the closure window."""
    if profile not in CLOSED_PROFILES:
        raise UserError(f"« {profile} » : la fermeture rentrée concerne les profils "
                        + " et ".join(CLOSED_PROFILES) + ".")
    closure = load_calendar(settings.home, rentree_year_of(now), uai).span(Milestone.ENT_CLOSURE)
    if closure is None or not closure.contains(now):
        raise UserError("La fermeture rentrée n'est pas en cours : il n'y a rien à lever ni à "
                        "refermer.", hint="bascule calendar en donne les dates.")
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor = find_person(connection, uai, by)
        decision = decide(actor.roles, Permission.TOGGLE_ENT_CLOSURE)
        if actor.status != "active" or not decision.allowed:
            raise UserError(f"Refusé à {actor.label} ({actor.login}) : {decision.reason}",
                            hint="Seuls le principal et le principal adjoint le peuvent "
                                 "(Pilotage > Fermeture rentrée).")
        record_override(connection, uai, ClosureOverride(profile=profile, open=reopen,
                                                         by=actor.login, at=now), actor)
    return closure


def check_access(settings: Settings, uai: str, login_name: str, *,
                 now: datetime) -> AccessDecision:
    """Allowed or denied on the ENT, and why: the same answer for the console and the targets."""
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        state = account_state(connection, uai, login_name)
        made = overrides(connection, uai)
    calendar = load_calendar(settings.home, rentree_year_of(now), uai)
    profile, status = state if state else (None, None)
    return ent_access(profile, status, calendar, made, now)


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkReset:
    count: int
    slips: Path


def reset_structure(settings: Settings, uai: str, code: str, *, by: str, now: datetime,
                    initial_only: bool = False) -> BulkReset:
    """New passwords for the active élèves of a division or group, and one PDF of slips.
    `initial_only` is the re-print: only those still on their initial password."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor = find_person(connection, uai, by)
        members = [m for m in structure_members(connection, uai, code)
                   if not initial_only or m.password_origin == "initial"]
        if not members:
            raise UserError(f"Aucun élève actif{' au mot de passe initial' if initial_only else ''}"
                            f" dans « {code} ».",
                            hint="Vérifiez le code de la division ou du groupe : bascule plan "
                                 "--json les donne.")
        for member in members:  # all or nothing: one refusal refuses the whole list
            _require(actor, member.person, Permission.RESET_PASSWORD, settings)
        passwords = {m.person.key: generate_password(settings.password_policy) for m in members}
        hashes = hash_passwords(passwords)
        for member in members:
            set_password_hash(connection, member.person, hashes[member.person.key],
                              origin="initial" if initial_only else "reset")
            journal_entry(connection, uai, "password_reset", member.person.key, actor.login,
                          now, {"login": member.person.login, "structure": code})
        stamp = f"{local_time(now):%Y%m%d-%H%M%S}"
        folder = _fresh_folder(settings.home / "credentials" / uai / stamp)
        partial = folder.with_name(folder.name + ".partial")
        slips = [Slip(person=m.person.key, label=m.person.label, division=m.division,
                      network_login=m.network_login, educonnect_login=m.educonnect_login)
                 for m in members]
        header = SlipHeader(school_name=_school_name(settings, uai), uai=uai,
                            school_year=str(SchoolYear.containing(now.date())))
        name = slip_file_name(code, set())
        write_private(partial / name, division_slips(header, slips, passwords))
    partial.rename(folder)
    return BulkReset(count=len(members), slips=folder / name)


def _school_name(settings: Settings, uai: str) -> str:
    return {school.uai: school.name for school in settings.schools}[uai]
