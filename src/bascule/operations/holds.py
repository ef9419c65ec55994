"""Holds on a person, and approving a plan with some of its actions left out (selective
acceptance): the operator or the direction (domain/policy.py: HOLD_PERSON, APPROVE_PLAN) keeps a
person exactly as they are until a date; each hold is journaled, and makes the waiting plan
stale, so that what gets approved and applied is the plan that leaves them alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from bascule.domain.policy import Permission, Role, decide
from bascule.domain.school import local_time
from bascule.errors import NotAllowed, UserError
from bascule.operations import school as school_ops
from bascule.operations.campaign import lifecycle_plan
from bascule.operations.night.holds import plan_again_keeping_the_nights_hold
from bascule.plan.model import ActionKind, HoldOrigin, PersonHold, Plan, PlanPurpose
from bascule.settings import Settings
from bascule.store.apply import StalePlan
from bascule.store.engine import open_store
from bascule.store.holds import add_hold, remove_hold, stored_holds
from bascule.store.operators import find_actor
from bascule.store.people import find_person, journal_entry
from bascule.store.plans import approve, carry_saved_at, pending_plan
from bascule.store.schema import person
from bascule.store.state import bump_version

__all__ = ["HeldRow", "add_person_hold", "approve_excluding", "list_person_holds",
           "remove_person_hold"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldRow:
    """A hold as `hold list` and the console's Retenues page show it."""

    number: int
    hold: PersonHold
    created_at: datetime
    running: bool  # still running on the day asked about (its last day included)


def list_person_holds(settings: Settings, uai: str, *, now: datetime) -> list[HeldRow]:
    """Every hold not removed, those running first; ended ones stay listed until removed."""
    today = local_time(now).date()
    with open_store(settings.store_url).connect() as connection:
        rows = [HeldRow(number=s.number, hold=s.hold, created_at=s.created_at,
                        running=s.hold.active_on(today))
                for s in stored_holds(connection, uai)]
    return sorted(rows, key=lambda row: (not row.running, row.hold.until, row.number))


def add_person_hold(settings: Settings, uai: str, wanted: str, *, until: date, reason: str,
                    by: str | None, actor: str, now: datetime) -> PersonHold:
    """Hold a person (by login, directory key, or the key of a creation of the waiting plan)
    through `until`; journaled as « retenue »; the waiting plan must be computed again."""
    today = local_time(now).date()
    _check_hold(until, reason, today)
    engine = open_store(settings.store_url)
    with engine.begin() as connection:
        who = _allowed(connection, uai, by, actor, Permission.HOLD_PERSON)
        key, label = _person_named(connection, uai, wanted, _waiting(settings, uai))
        hold = PersonHold(key=key, label=label, reason=reason.strip(), until=until, by=who)
        number = add_hold(connection, uai, hold, now=now, today=today)
        _journal(connection, uai, "retenue", hold, who, now, number)
    return hold


def remove_person_hold(settings: Settings, uai: str, wanted: str, *, by: str | None,
                       actor: str, now: datetime) -> PersonHold:
    """End a hold now (by its number or the person's key); journaled as « retenue levée »."""
    with open_store(settings.store_url).begin() as connection:
        who = _allowed(connection, uai, by, actor, Permission.HOLD_PERSON)
        stored = remove_hold(connection, uai, wanted, who, now)
        _journal(connection, uai, "retenue_levee", stored.hold, who, now, stored.number)
    return stored.hold


def approve_excluding(settings: Settings, uai: str, content_sha256: str | None,
                      excluded: Sequence[str], *, reason: str, until: date | None,
                      by: str | None, actor: str, now: datetime,
                      reason_required: bool = False) -> school_ops.PendingPlan:
    """Approve the waiting plan (of this hash, when given), some of its actions left out:
    each person excluded becomes a hold with the approver's reason (through `until`, by default
    the end of the plan's school year), the plan is computed again and the NEW plan, whose
    hash covers the holds, is what gets approved. Without exclusions, a plain approval.
    `reason_required`: a plan a night held is approved with its reason (journaled)."""
    waiting = school_ops.waiting_plan(
        settings, uai, content_sha256, outcome="rien n'a été approuvé.",
        hint="Relisez le plan (bascule plan, ou la page Plan) et recommencez.",
        console_hint="Relisez le plan tel qu'il est maintenant, puis recommencez.")
    plan = waiting.plan
    if excluded and plan.purpose is PlanPurpose.UNDO:
        raise UserError("Une annulation s'approuve entière : personne ne peut en être exclu. "
                        "Rien n'a été approuvé.",
                        hint="Approuvez-la sans --exclude, ou renoncez-y : bascule plan "
                             "recalcule le plan de la campagne.",
                        console_hint="Décochez les personnes et approuvez-la entière, ou "
                                     "renoncez-y : l'opérateur du département recalcule alors "
                                     "le plan de la campagne.")
    if excluded:
        # The plan read is computed again for its own moment (a rehearsal's `--at` too), less
        # the people excluded: not for today, which could be another plan altogether.
        moment = plan.computed_at
        _exclude(settings, uai, plan, list(dict.fromkeys(excluded)), reason=reason,
                 until=until or plan.school_year.last_day, by=by, actor=actor,
                 now=now, today=local_time(moment).date())
        if plan.purpose is PlanPurpose.LIFECYCLE:  # the September deletions, recomputed
            lifecycle_plan(settings, uai, now=moment)
        else:  # a plan the night held stays held, now this one (newcomer 11)
            plan_again_keeping_the_nights_hold(settings, uai, now=moment)
        # Computed again for the plan read's day: a rehearsal only if the plan read was one.
        carry_saved_at(open_store(settings.store_url), uai, waiting.approval.saved_at)
        waiting = school_ops.waiting_plan(settings, uai, None, outcome="rien n'a été approuvé.")
        _nothing_new(plan, waiting.plan)
    return _approve(settings, uai, waiting, by=by, actor=actor, now=now, reason=reason,
                    reason_required=reason_required)


def _exclude(settings: Settings, uai: str, plan: Plan, excluded: list[str], *, reason: str,
             until: date, by: str | None, actor: str, now: datetime, today: date) -> None:
    """Every person excluded held, in one transaction: all of them or none; `today`: the
    plan's day, on which the holds must be running."""
    if not reason.strip():
        raise UserError("Rien n'a été approuvé : exclure une action demande sa raison.",
                        hint="Ajoutez --reason \"…\".", field="motif",
                        console_hint="Écrivez-la dans « Raison des exclusions », puis "
                                     "approuvez de nouveau (les cases cochées le restent).")
    _check_hold(until, reason, today)  # a hold already over on the plan's day: refused
    named = {name for a in plan.actions if a.kind.is_account_action
             for name in (a.person, *(login for _kind, login in a.logins))}
    for wanted in excluded:
        if wanted not in named:
            raise UserError(f"« {wanted} » n'est l'objet d'aucune action de ce plan : rien n'a "
                            "été approuvé.", hint="Donnez l'identifiant ou la clé d'une "
                            "personne du plan (bascule plan --csv, colonne « clé »).",
                            console_hint="Cochez des personnes du tableau des différences "
                                         "du plan tel qu'il est maintenant.")
    with open_store(settings.store_url).begin() as connection:
        who = _allowed(connection, uai, by, actor, Permission.APPROVE_PLAN)
        for wanted in excluded:
            key, label = _person_named(connection, uai, wanted, plan)
            hold = PersonHold(key=key, label=label, reason=reason.strip(), until=until, by=who,
                              origin=HoldOrigin.EXCLUDED)
            number = add_hold(connection, uai, hold, now=now, today=today)
            _journal(connection, uai, "retenue", hold, who, now, number)


def _nothing_new(read: Plan, recomputed: Plan) -> None:
    """The plan approved is the one read, less what was excluded: an action the reader never
    saw (a campaign imported meanwhile, a date passed) stops the approval."""
    seen = {(a.kind, a.person) for a in read.actions if a.kind.is_account_action}
    unseen = [a for a in recomputed.actions
              if a.kind.is_account_action and (a.kind, a.person) not in seen]
    if unseen:
        raise UserError(f"Le plan recalculé sans les personnes exclues compte {len(unseen)} "
                        "action(s) que vous n'avez pas relue(s) (par exemple : "
                        f"{unseen[0].kind.label} {unseen[0].label}) : il n'est pas approuvé.",
                        hint="Les exclusions sont enregistrées (retenues) ; relisez le nouveau "
                             "plan, puis approuvez-le.")


def _approve(settings: Settings, uai: str, waiting: school_ops.PendingPlan, *, by: str | None,
             actor: str, now: datetime, reason: str,
             reason_required: bool) -> school_ops.PendingPlan:
    """A staff member of the school approves through the console's own operation; the
    département's operator at the command line (no --by) in their system account's name."""
    content_sha256 = waiting.approval.content_sha256
    if by is not None:
        return school_ops.approve_plan(settings, uai, content_sha256, by=by, now=now,
                                       reason=reason, reason_required=reason_required)
    if school_ops.is_stale(settings, waiting.plan):  # as approve_plan refuses it
        raise StalePlan(approving=True)
    engine = open_store(settings.store_url)
    if not approve(engine, waiting.approval.plan_id, content_sha256, actor, now):
        raise UserError("Ce plan vient d'être appliqué ou remplacé : rien n'a été approuvé.")
    with engine.begin() as connection:
        journal_entry(connection, uai, "approbation", content_sha256[:12], actor, now,
                      {"plan": content_sha256})
    return school_ops.pending(settings, uai) or waiting


def _check_hold(until: date, reason: str, today: date) -> None:
    if not reason.strip():
        raise UserError("Une retenue demande sa raison.",
                        hint="Ajoutez --reason \"…\" (par exemple « départ en janvier, garder "
                             "le compte jusque-là »).", field="motif",
                        console_hint="Écrivez-la dans « Raison » (par exemple « départ en "
                                     "janvier, garder le compte jusque-là »).")
    if until < today:
        raise UserError(f"La date de fin de la retenue ({until:%d/%m/%Y}) est déjà passée "
                        f"(nous sommes le {today:%d/%m/%Y}).",
                        hint=f"Donnez son dernier jour, le {today:%d/%m/%Y} ou plus tard : "
                             f"--until {today:%d/%m/%Y}. Pour une répétition datée avec --at "
                             "(bascule plan --at …), donnez le même --at à hold add.",
                        field="jusqu_au",
                        console_hint=f"Donnez son dernier jour, le {today:%d/%m/%Y} ou plus "
                                     "tard.")


def _allowed(connection: Connection, uai: str, by: str | None, actor: str,
             permission: Permission) -> str:
    """Who acts: the staff member of --by (the console's person), or, without it, the
    département's operator at the command line; refused unless the policy allows it."""
    roles = find_actor(connection, uai, by).roles if by else frozenset({Role.OPERATEUR})
    decision = decide(roles, permission)
    if not decision.allowed:
        raise NotAllowed(f"Refusé : {decision.reason}",
                        hint="La direction et les opérateurs du département retiennent une "
                             "personne ou excluent une action du plan.")
    return by or actor


def _person_named(connection: Connection, uai: str, wanted: str,
                  plan: Plan | None) -> tuple[str, str]:
    """(key, label) of the person a key or a login names: in the directory, or a creation of
    the waiting plan (someone not in the directory yet); a French error otherwise."""
    wanted = wanted.strip()
    row = connection.execute(select(person.c.key, person.c.last_name, person.c.first_name)
                             .where((person.c.uai == uai) & (person.c.key == wanted))).first()
    if row is not None:
        return row.key, f"{row.last_name} {row.first_name}"
    for action in plan.actions if plan else ():
        if action.kind is ActionKind.CREATE and wanted in (
                action.person, *(login for _kind, login in action.logins)):
            return action.person, action.label
    found = find_person(connection, uai, wanted)  # by login
    return found.key, found.label


def _waiting(settings: Settings, uai: str) -> Plan | None:
    found = pending_plan(open_store(settings.store_url), uai)
    return found[1] if found else None


def _journal(connection: Connection, uai: str, action: str, hold: PersonHold, who: str,
             now: datetime, number: int) -> None:
    journal_entry(connection, uai, action, hold.key, who, now, {
        "numéro": number, "personne": hold.label, "motif": hold.reason,
        "jusqu'au": hold.until.isoformat(), "origine": hold.origin.value})
    bump_version(connection, uai)  # the waiting plan no longer says what will happen
