"""The school's daily operations, beside the yearly campaign flow of campaign.py: password
resets and changes, delegations, the ENT rentrée closure and access checks, the journal. Every
permission is the policy's (domain/policy.py); these functions ask it, then act, and journal."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from bascule.domain.access import (
    CLOSED_PROFILES,
    AccessDecision,
    ClosureOverride,
    closure_states,
    ent_access,
)
from bascule.domain.calendar import Milestone, Span, rentree_year_of
from bascule.domain.labels import (
    CSV_HEADERS,
    PROFILES,
    parse_choice,
    profile_label,
    status_label,
)
from bascule.domain.passwords import new_password, require_strong
from bascule.domain.people import on_pedagogical_network
from bascule.domain.policy import (
    DELEGATIONS,
    TOKEN_HOLDER_PROFILES,
    Permission,
    PolicyOptions,
    Subject,
    decide,
    holds,
    sees_every_account,
)
from bascule.errors import NotAllowed, NotFound, Problem, UserError
from bascule.operations.calendars import load_calendar
from bascule.operations.campaign import (
    ApplyOutcome,
    MassLeaveRefused,
    NoPlanWaiting,
    apply_saved_plan,
    campaigns,
    directory_fingerprint,
    refuse_out_of_its_day,
    rehearsal_out_of_its_day,
    sealer_for,
)
from bascule.operations.summaries import SPACES_USAGE, VERIFICATION, Summary, latest_summary
from bascule.plan.model import Plan
from bascule.reports.tables import csv_for_people
from bascule.settings import Settings
from bascule.snapshot.quality import Finding, assess_quality
from bascule.store.accounts import AccountRow as AccountRow
from bascule.store.accounts import search_accounts as find_accounts
from bascule.store.apply import StalePlan
from bascule.store.audit import AuditFilter as AuditFilter
from bascule.store.audit import JournalEntry as JournalEntry
from bascule.store.audit import journal_entries, last_applied
from bascule.store.engine import open_store
from bascule.store.hashing import PasswordOrigin, hash_password, verify_password
from bascule.store.operators import find_actor
from bascule.store.people import DelegationRow as DelegationRow
from bascule.store.people import Person as Person
from bascule.store.people import (
    account_state,
    find_person,
    find_person_by_key,
    grant,
    journal_entry,
    list_delegations,
    overrides,
    password_hash_of,
    record_override,
    revoke,
    set_password_hash,
)
from bascule.store.plans import (
    Approval,
    approval_of,
    approve,
    pending_approval,
    pending_plan,
)
from bascule.store.sealed import keep_for_targets
from bascule.store.sessions import end_sessions_of
from bascule.store.staging import StagedCampaign, latest_problems, latest_snapshot
from bascule.store.tokens import (
    TokenRow,
    create_token,
    list_tokens,
    revoke_token,
    token_holder,
)
from bascule.targets.client import password_accepted
from bascule.targets.entries import flavour_for
from bascule.targets.model import container_of


def audit(settings: Settings, uai: str, wanted: AuditFilter) -> list[JournalEntry]:
    """The journal's entries `wanted` asks for; a login as target stands for its holder too."""
    engine = open_store(settings.store_url)
    if wanted.target is not None and wanted.target_key is None:
        with engine.connect() as connection, suppress(UserError):
            holder = find_person(connection, uai, wanted.target)
            wanted = dataclasses.replace(wanted, target_key=holder.key)
    return journal_entries(engine, uai, wanted)


def policy_options(settings: Settings) -> PolicyOptions:
    return PolicyOptions(teachers_reset_own_eleves_only=settings.teachers_reset_own_eleves_only)


def subject_of(actor: Person, profile: str, is_actor: bool,
             structures: frozenset[str]) -> Subject:
    return Subject(profile=profile, is_actor=is_actor,
                   shares_a_structure=bool(actor.structures & structures))


_WHO_MAY = ("Seul un rôle ou une délégation qui le permet peut le faire : "
            "bascule policy matrix les liste.")
_WHO_MAY_IN_CONSOLE = ("Seul un rôle ou une délégation qui le permet peut le faire : la "
                       "direction accorde les délégations (Pilotage > Autorisations).")


def require_allowed(actor: Person, permission: Permission, settings: Settings,
             subject: Person | None = None, hint: str = _WHO_MAY) -> str:
    """The policy's reason when allowed (on the subject, or the school); a French refusal
    (exit 1) otherwise."""
    if actor.status != "active":
        raise NotAllowed(f"Refusé : le compte de {actor.label} ({actor.login}) n'est pas actif.")
    on = (subject_of(actor, subject.profile, actor.key == subject.key, subject.structures)
          if subject is not None else None)
    decision = decide(actor.roles, permission, on, policy_options(settings))
    if not decision.allowed:
        raise NotAllowed(f"Refusé à {actor.label} ({actor.login}) : {decision.reason}", hint=hint,
                         console_hint=_WHO_MAY_IN_CONSOLE if hint == _WHO_MAY else hint)
    return decision.reason


def subject_in_reach(connection: Connection, settings: Settings, uai: str, actor: Person,
                     login_name: str, permission: Permission) -> tuple[Person, str]:
    """The account `login_name` names and the policy's reason to let `actor` act on it
    (none for the actor's own account: the caller decides). An actor learns nothing of the
    accounts out of their reach that the accounts' list would not show them: for a teacher,
    an identifier nobody holds and an account they may not touch (a colleague, the direction,
    another class's élève) get one refusal, naming neither a profile nor whether it exists
    (newcomer 10: a forged request told a teacher both)."""
    options = policy_options(settings)
    if not holds(actor.roles, permission, options):
        require_allowed(actor, permission, settings)  # none of their roles may, on anyone
    try:
        subject = find_person(connection, uai, login_name)
    except NotFound:
        if sees_every_account(actor.roles, options):
            raise
        raise _out_of_reach(actor, login_name) from None
    if actor.key == subject.key:
        return subject, ""
    try:
        return subject, require_allowed(actor, permission, settings, subject)
    except NotAllowed:
        listed = decide(actor.roles, Permission.LIST_ACCOUNTS,
                        subject_of(actor, subject.profile, False, subject.structures), options)
        if listed.allowed:
            raise
        raise _out_of_reach(actor, login_name) from None


def _out_of_reach(actor: Person, login_name: str) -> NotAllowed:
    return NotAllowed(f"Refusé à {actor.label} ({actor.login}) : « {login_name} » n'est pas "
                      "un compte sur lequel vous pouvez agir ici.", hint=_WHO_MAY,
                      console_hint=_WHO_MAY_IN_CONSOLE)


def reset_password(settings: Settings, uai: str, login_name: str, *, by: str,
                   now: datetime) -> tuple[Person, str]:
    """A new password for someone else, if the policy allows it; shown once, stored hashed,
    to be changed at the next login."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor = find_actor(connection, uai, by)
        subject, reason = subject_in_reach(connection, settings, uai, actor, login_name,
                                           Permission.RESET_PASSWORD)
        if actor.key == subject.key:
            raise UserError("Votre propre mot de passe ne se réinitialise pas : il se change, "
                            "en donnant l'actuel. Rien n'a été fait.",
                            hint="Page Mon compte de la console, ou bascule password change.")
        if subject.status != "active":
            raise UserError(f"Le compte de {subject.label} ({subject.login}) est "
                            f"{'supprimé' if subject.status == 'deleted' else 'désactivé'} : "
                            "il n'y a pas de mot de passe à réinitialiser.")
        password = new_password(subject.profile, settings.password_policy)
        set_password_hash(connection, subject,
                          hash_password(password, PasswordOrigin.GENERATED))
        end_sessions_of(connection, subject.person_id, now, "mot de passe réinitialisé")
        keep_passwords_for_targets(settings, uai, connection, [(subject, password)], now)
        # The profile lets the direction be told of a reset of one of its own (sign-in notice).
        journal_entry(connection, uai, "password_reset", subject.key, actor.login, now,
                      {"login": subject.login, "allowed_as": reason, "profil": subject.profile})
    return subject, password


def end_sessions(settings: Settings, uai: str, login_name: str, *, by: str,
                 now: datetime) -> tuple[Person, int]:
    """Every open console session of someone's account ended at once (a lost phone, a shared
    computer left signed in), if the policy lets `by` do it; journaled. How many were open."""
    with open_store(settings.store_url).begin() as connection:
        actor = find_actor(connection, uai, by)
        subject, _reason = subject_in_reach(connection, settings, uai, actor, login_name,
                                            Permission.END_SESSIONS)
        if actor.key == subject.key:
            require_allowed(actor, Permission.END_SESSIONS, settings, subject)
        ended = end_sessions_of(connection, subject.person_id, now, f"fermées par {actor.login}")
        journal_entry(connection, uai, "sessions_fermees", subject.key, actor.login, now,
                      {"login": subject.login, "sessions": ended})
    return subject, ended


def keep_passwords_for_targets(settings: Settings, uai: str, connection: Connection,
                      changed: list[tuple[Person, str]], now: datetime,
                      *, must_change: bool = True) -> None:
    """The pedagogical server gets the new password at its next sync (not responsables:
    they are not on that network)."""
    sealer = sealer_for(settings, uai)
    if sealer is not None:
        keep_for_targets(connection, {person.person_id: sealer.seal(password)
                                      for person, password in changed
                                      if on_pedagogical_network(person.profile)}, now,
                         must_change=must_change)


def delegations(settings: Settings, uai: str) -> list[DelegationRow]:
    with open_store(settings.store_url).connect() as connection:
        return list_delegations(connection, uai)


def change_own_password(settings: Settings, uai: str, login_name: str, *, current: str,
                        new: str, now: datetime) -> Person:
    """Self-service: with the current password, a new one that meets the policy."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        person = find_person(connection, uai, login_name)
        require_allowed(person, Permission.CHANGE_OWN_PASSWORD, settings, person)
        if not verify_password(password_hash_of(connection, person), current):
            raise UserError("Le mot de passe actuel n'est pas le bon : rien n'a changé.",
                            hint="Un oubli ? Un enseignant ou le référent numérique peut le "
                                 "réinitialiser.")
        require_strong(new, settings.password_policy)
        set_password_hash(connection, person, hash_password(new, PasswordOrigin.CHOSEN),
                          origin="changed")
        end_sessions_of(connection, person.person_id, now, "mot de passe changé")
        keep_passwords_for_targets(settings, uai, connection, [(person, new)], now,
                                   must_change=False)
        journal_entry(connection, uai, "password_change", person.key, person.login, now,
                      {"login": person.login})
    return person


def delegation_name(typed: str) -> str:
    """The delegation's own name for what was typed (accents and case aside); a French error
    listing the names when it is none of them."""
    return parse_choice(typed, {known: known for known in DELEGATIONS}, "délégation",
                        "Délégation", feminine=True)


def change_delegation(settings: Settings, uai: str, login_name: str, name: str, *, by: str,
                      now: datetime, granted: bool) -> tuple[Person, bool]:
    """Grant or revoke a named delegation (`name` as typed: `delegation_name`); True when
    something changed."""
    name = delegation_name(name)
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor, subject = find_actor(connection, uai, by), find_person(connection, uai, login_name)
        require_allowed(actor, Permission.MANAGE_DELEGATIONS, settings, subject)
        change = grant if granted else revoke
        return subject, change(connection, uai, subject, name, actor, now)


def set_closure(settings: Settings, uai: str, profile: str, *, reopen: bool, by: str,
                now: datetime) -> Span:
    """The direction reopens the ENT early for a profile, or closes it again, during the
    rentrée closure; returns the closure window."""
    if profile not in CLOSED_PROFILES:
        raise UserError(f"« {profile} » : la fermeture rentrée concerne les profils "
                        + " et ".join(PROFILES[code] for code in CLOSED_PROFILES) + ".")
    closure = closure_window(settings, uai, now=now)
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        actor = find_actor(connection, uai, by)
        # Who may comes first: someone without the right learns that, whatever the date.
        require_allowed(actor, Permission.TOGGLE_ENT_CLOSURE, settings,
                 hint="Seuls le principal et le principal adjoint le peuvent "
                      "(Pilotage > Fermeture rentrée).")
        if closure is None or not closure.contains(now):
            raise UserError("La fermeture rentrée n'est pas en cours : il n'y a rien à lever "
                            "ni à refermer.", hint="bascule calendar en donne les dates.",
                            console_hint="La page Calendrier en donne les dates.")
        record_override(connection, uai, ClosureOverride(profile=profile, open=reopen,
                                                         by=actor.login, at=now), actor)
    return closure


def closure_window(settings: Settings, uai: str, *, now: datetime) -> Span | None:
    """The rentrée closure of the ENT for élèves and responsables, this school year."""
    return load_calendar(settings.home, rentree_year_of(now), uai).span(Milestone.ENT_CLOSURE)


def check_access(settings: Settings, uai: str, login_name: str, *,
                 now: datetime) -> AccessDecision:
    """Allowed or denied on the ENT, and why: the same answer for the console and the targets."""
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        state = account_state(connection, uai, login_name)
        made = overrides(connection, uai)
    calendar = load_calendar(settings.home, rentree_year_of(now), uai)
    if state is None:
        return ent_access(None, None, calendar, made, now)
    return ent_access(state.profile, state.status, calendar, made, now,
                      exit_date=state.exit_date)


def search_accounts(settings: Settings, uai: str, text: str, *, limit: int,
                    status: str | None = None) -> list[AccountRow]:
    """By name, login or division, ignoring case and accents; the first `limit`."""
    return find_accounts(open_store(settings.store_url), uai, text, limit=limit, status=status)


_BAD_SIGN_IN = "Identifiant ou mot de passe incorrect."


def sign_in(settings: Settings, uai: str, login_name: str, password: str, *,
            now: datetime) -> Person:
    """The person, when the password is theirs and they may come in now (the ENT closure keeps
    élèves and responsables out unless the direction reopened it)."""
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        try:
            person = find_person(connection, uai, login_name)
            stored = password_hash_of(connection, person)
        except UserError:
            person, stored = None, ""
    # An unknown login costs the same time as a wrong password: no one learns who exists.
    valid = verify_password(stored, password) and person is not None
    if not valid:
        valid = _adopt_directory_password(settings, uai, person, password, now)
    if not valid or person is None or person.status != "active":
        raise UserError(_BAD_SIGN_IN, hint="Un oubli ? Un enseignant ou le référent numérique "
                                           "peut réinitialiser votre mot de passe.")
    let_in(settings, uai, person, now=now)
    return person


def let_in(settings: Settings, uai: str, person: Person, *, now: datetime) -> None:
    """Asked at the sign-in and again on every request, of a session or a token: an account no
    longer active, or an élève or responsable during the rentrée closure, is refused (a French
    UserError) even with a session opened or a token made before."""
    if person.status == "active" and person.profile not in CLOSED_PROFILES:
        return  # the closure keeps out élèves and responsables only: no calendar to read
    decision = check_access(settings, uai, person.login, now=now)
    if not decision.allowed:
        raise UserError(f"Accès fermé pour l'instant : {decision.reason}.")


def _adopt_directory_password(settings: Settings, uai: str, person: Person | None,
                              password: str, now: datetime) -> bool:
    """Staff and élèves change their password on the pedagogical network (a Windows logon,
    the server's own tools): when one of the school's directories takes the password the store
    does not know, it becomes the store's (the printed one stops working) and is journaled.
    Whoever tries (unknown, responsable, disabled), the same binds are made: the time a
    refusal takes tells no one who exists."""
    on_network = (person is not None and person.status == "active"
                  and on_pedagogical_network(person.profile))
    for target in settings.targets_of(uai):
        dn = flavour_for(target).dn_of(person.login if person and on_network else _NOBODY,
                                       container_of(person.profile if person else "eleve"))
        try:
            accepted = password_accepted(target, dn, password)
        except UserError:  # unreachable: the store's answer stands
            continue
        if accepted and person is not None and on_network:
            with open_store(settings.store_url).begin() as connection:
                set_password_hash(connection, person,
                                  hash_password(password, PasswordOrigin.CHOSEN),
                                  origin="changed")
                end_sessions_of(connection, person.person_id, now, "mot de passe changé")
                journal_entry(connection, uai, "mdp_annuaire", person.key, person.login, now,
                              {"login": person.login, "cible": target.name})
            return True
    return False


_NOBODY = "bascule-personne"  # a DN no account has (logins hold no dash)


def current_person(settings: Settings, uai: str, login_name: str) -> Person:
    with open_store(settings.store_url).connect() as connection:
        return find_person(connection, uai, login_name)


def may_reset(settings: Settings, actor: Person, row: AccountRow) -> bool:
    """Whether the actor would be allowed to reset this account: what the password tool shows
    is what the policy allows, and the reset itself asks the policy again."""
    if row.login is None or actor.status != "active":
        return False
    return decide(actor.roles, Permission.RESET_PASSWORD,
                  subject_of(actor, row.profile, actor.login == row.login, _structures_of(row)),
                  policy_options(settings)).allowed


def profile_access(settings: Settings, uai: str, profile: str, *,
                   now: datetime) -> AccessDecision:
    """Whether an active account of this profile may enter the ENT now, and why."""
    return ent_states(settings, uai, now=now)[profile]


def ent_states(settings: Settings, uai: str, *, now: datetime) -> dict[str, AccessDecision]:
    """Every profile's access to the ENT now, as far as the rentrée closure and the
    direction's reopenings go (domain.access.closure_states): what Pilotage > Fermeture
    rentrée and the dashboard both show."""
    with open_store(settings.store_url).connect() as connection:
        made = overrides(connection, uai)
    return closure_states(load_calendar(settings.home, rentree_year_of(now), uai), made, now)


# The accounts as a CSV for the referents (";" separated, as French spreadsheets expect).
ACCOUNT_COLUMNS = tuple(CSV_HEADERS[name] for name in (
    "login", "educonnect", "profile", "status", "last_name", "first_name", "birth_date",
    "division", "groups", "ine"))


def accounts_csv(rows: Sequence[AccountRow]) -> str:
    """For a spreadsheet (the CLI's --csv, the console's export): cells neutralised."""
    return csv_for_people(ACCOUNT_COLUMNS, ([
        row.login or "", row.educonnect or "", profile_label(row.profile),
        status_label(row.status), row.last_name, row.first_name,
        row.birth_date.strftime("%d/%m/%Y") if row.birth_date else "",  # as French Excel reads
        row.division or "", ",".join(row.groups), row.ine or ""] for row in rows))


def export_accounts(settings: Settings, uai: str, rows: Sequence[AccountRow], *, by: str,
                    now: datetime, what: str) -> str:
    """The accounts' CSV for the direction or an operator (birth dates, INE): refused to
    anyone else by the policy, journaled with what was asked (`what`, in French)."""
    with open_store(settings.store_url).begin() as connection:
        actor = find_actor(connection, uai, by)
        require_allowed(actor, Permission.EXPORT_ACCOUNTS, settings,
                        hint="L'export des comptes est réservé à la direction et aux "
                             "opérateurs.")
        journal_entry(connection, uai, "export_comptes", "comptes", actor.login, now,
                      {"nombre": len(rows), "filtre": what})
    return accounts_csv(rows)


def listed_accounts(settings: Settings, actor: Person, rows: Sequence[AccountRow]
                    ) -> list[AccountRow]:
    """The rows this person may see (a teacher: the élèves they may reset)."""
    options = policy_options(settings)
    return [row for row in rows if decide(
        actor.roles, Permission.LIST_ACCOUNTS,
        subject_of(actor, row.profile, actor.login in (row.login, row.educonnect),
                   _structures_of(row)), options).allowed]


def _structures_of(row: AccountRow) -> frozenset[str]:
    return frozenset({f"D:{row.division}"} | {f"G:{group}" for group in row.groups})


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingPlan:
    plan: Plan
    approval: Approval


def pending(settings: Settings, uai: str) -> PendingPlan | None:
    """The plan waiting to be applied, with who approved it, if anyone."""
    engine = open_store(settings.store_url)
    found = pending_plan(engine, uai)
    if found is None:
        return None
    plan_id, plan = found
    return PendingPlan(plan=plan, approval=approval_of(engine, plan_id))


def waiting_plan(settings: Settings, uai: str, content_sha256: str | None, *, outcome: str,
                 hint: str = "Rechargez la page et relisez le plan.",
                 console_hint: str | None = None) -> PendingPlan:
    """The plan waiting for this school, when it is the one of `content_sha256` (any, for
    None); otherwise a French refusal ending on `outcome` (« rien n'a été approuvé. »):
    no plan waiting at all, or another one since the person read it."""
    waiting = pending(settings, uai)
    if waiting is None:
        raise NoPlanWaiting(uai, outcome)
    if content_sha256 is not None and waiting.approval.content_sha256 != content_sha256:
        raise UserError(f"Ce plan n'est plus celui en attente : {outcome}", hint=hint,
                        console_hint=console_hint)
    return waiting


def is_stale(settings: Settings, plan: Plan) -> bool:
    """Whether the store moved since `plan` was computed (an apply, an import, a hold, a review
    decision): the apply would refuse it, so it is neither approved nor applied as it is."""
    return directory_fingerprint(settings, plan.uai) != plan.state_fingerprint


def approve_plan(settings: Settings, uai: str, content_sha256: str, *, by: str,
                 now: datetime, reason: str = "", reason_required: bool = False
                 ) -> PendingPlan:
    """A principal (or adjoint) approves the plan they read, by its hash; the operator then
    applies exactly that plan. `reason`, journaled, is required with `reason_required` (the
    API's approval of a plan a night held)."""
    if reason_required and not reason.strip():
        raise UserError("Ce plan a été retenu par la nuit : donnez la raison de son "
                        "approbation (motif), elle est journalisée. Rien n'a été approuvé.",
                        field="motif")
    waiting = waiting_plan(settings, uai, content_sha256, outcome="rien n'a été approuvé.")
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        actor = find_actor(connection, uai, by)
    require_allowed(actor, Permission.APPROVE_PLAN, settings,
             hint="Seuls le principal, son adjoint et l'opérateur approuvent un plan.")
    if is_stale(settings, waiting.plan):
        raise StalePlan(approving=True)
    if not approve(engine, waiting.approval.plan_id, content_sha256, actor.login, now):
        raise UserError("Ce plan vient d'être appliqué ou remplacé : rien n'a été approuvé.")
    with engine.begin() as connection:
        detail: dict[str, object] = {"plan": content_sha256}
        if reason.strip():
            detail["motif"] = reason.strip()
        journal_entry(connection, uai, "approbation", content_sha256[:12], actor.login, now,
                      detail)
    return pending(settings, uai) or waiting


def check_apply(settings: Settings, uai: str, content_sha256: str, *, by: str,
                allow_mass_leave: bool, now: datetime) -> PendingPlan:
    """Whether this person may apply this plan now: still the pending one, approved, within
    their roles, on a day it may be applied, and its mass departures confirmed; a French
    refusal otherwise."""
    waiting = waiting_plan(settings, uai, content_sha256, outcome="rien n'a été appliqué.")
    if waiting.approval.approved_by is None:
        raise UserError("Ce plan n'est pas encore approuvé : rien n'a été appliqué.",
                        hint="Le principal ou son adjoint l'approuve d'abord (page Plan).")
    with open_store(settings.store_url).connect() as connection:
        actor = find_actor(connection, uai, by)
    require_allowed(actor, Permission.APPLY_APPROVED_PLAN, settings,
             hint="Seuls le principal, son adjoint et l'opérateur appliquent un plan.")
    refuse_out_of_its_day(waiting.plan, waiting.approval, now)
    if waiting.plan.mass_leaves and not allow_mass_leave:
        raise UserError(MassLeaveRefused(waiting.plan).message,
                        hint="Si ces départs sont réels, confirmez-les et appliquez de nouveau.")
    return waiting


def apply_approved_plan(settings: Settings, uai: str, content_sha256: str, *, by: str,
                        now: datetime, allow_mass_leave: bool = False,
                        on_hashed: Callable[[int], None] = lambda _count: None,
                        mass_leave_reason: str | None = None) -> ApplyOutcome:
    """From the console: the plan the person read (by its hash), once approved, applied by
    the direction or an operator; the same apply as the CLI's, in one transaction."""
    check_apply(settings, uai, content_sha256, by=by, allow_mass_leave=allow_mass_leave,
                now=now)
    return apply_saved_plan(settings, uai, now=now, actor=by,
                            allow_mass_leave=allow_mass_leave, on_hashed=on_hashed,
                            approved_sha256=content_sha256, mass_leave_reason=mass_leave_reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dashboard:
    last_import: StagedCampaign | None
    problems: tuple[Problem, ...]
    pending: Approval | None  # the waiting plan's approval (the plan itself is not read)
    last_applied: datetime | None
    verification: Summary | None
    spaces: Summary | None
    to_fix: tuple[Finding, ...] = ()  # the newest import's « À corriger », with their items
    pending_rehearsal: bool = False  # the waiting plan is a rehearsal's, not for this day


def import_problems(settings: Settings, uai: str) -> tuple[Problem, ...]:
    """The warnings of the newest import, as `bascule import --report` showed them."""
    return latest_problems(open_store(settings.store_url), uai)


def dashboard(settings: Settings, uai: str, *, now: datetime) -> Dashboard:
    """What the console's home page shows beside the calendar; the verification and the quota
    scan as last run (by the console or the CLI), not run again on each visit."""
    engine = open_store(settings.store_url)
    imported = [c for c in campaigns(settings) if c.uai == uai]
    pending = pending_approval(engine, uai)
    if pending is not None and pending.empty:
        pending = None  # a plan that changes nothing awaits nobody
    return Dashboard(last_import=imported[-1] if imported else None,
                     problems=import_problems(settings, uai),
                     pending=pending,
                     pending_rehearsal=pending is not None and pending.computed_at is not None
                     and rehearsal_out_of_its_day(pending.computed_at, pending, now),
                     last_applied=last_applied(engine, uai),
                     verification=latest_summary(settings, uai, VERIFICATION),
                     spaces=latest_summary(settings, uai, SPACES_USAGE),
                     to_fix=to_fix_in_exports(settings, uai))


def to_fix_in_exports(settings: Settings, uai: str) -> tuple[Finding, ...]:
    """What `bascule import` listed « À corriger » of the newest campaign (Siècle-BEE,
    STS-Web): the findings with items, computed again from its staged snapshot."""
    staged = latest_snapshot(open_store(settings.store_url), uai)
    if staged is None:
        return ()
    return tuple(finding for finding in assess_quality(staged.snapshot) if finding.items)


def create_api_token(settings: Settings, uai: str, name: str, for_login: str,
                     scopes: list[str], *, actor: str, now: datetime) -> str:
    """A token for a tool acting as a person of the school; shown once, kept as a hash."""
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        holder = find_person(connection, uai, for_login)
        if holder.profile not in TOKEN_HOLDER_PROFILES or holder.status != "active":
            raise UserError(f"Pas de jeton pour {holder.label} ({holder.login}) : les jetons "
                            "d'API sont pour les personnels actifs et les outils du "
                            "département.",
                            hint="Créez le jeton au nom du personnel qui utilisera l'outil.")
        token = create_token(connection, uai, name, holder.person_id, scopes, actor, now)
        journal_entry(connection, uai, "jeton", name, actor, now,
                      {"pour": holder.login, "portées": sorted(scopes)})
    return token


def api_caller(settings: Settings, schools: Sequence[str], token: str, *,
               now: datetime) -> tuple[str, Person, frozenset[str]]:
    """The school of a token, who it acts as there (read afresh: a disabled holder, or one the
    closure keeps out, is refused) and its scopes; only for the schools this console serves."""
    with open_store(settings.store_url).connect() as connection:
        uai, key, scopes = token_holder(connection, token)
        if uai not in schools:
            raise UserError("Ce jeton est celui d'un établissement que cette console ne sert pas.")
        holder = find_person_by_key(connection, uai, key)
    if holder.status != "active":
        raise UserError("Le titulaire de ce jeton n'a plus de compte actif.")
    let_in(settings, uai, holder, now=now)
    return uai, holder, scopes


def revoke_api_token(settings: Settings, uai: str, name: str, *, actor: str,
                     now: datetime) -> bool:
    with open_store(settings.store_url).begin() as connection:
        done = revoke_token(connection, uai, name, now)
        if done:
            journal_entry(connection, uai, "jeton_retire", name, actor, now, {})
    return done


def api_tokens(settings: Settings, uai: str) -> list[TokenRow]:
    with open_store(settings.store_url).connect() as connection:
        return list_tokens(connection, uai)
