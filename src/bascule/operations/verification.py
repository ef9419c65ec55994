"""bascule verify: the store's checks, and a read-only comparison of every target (directory,
spaces) with the store. Nothing is changed in the store or the targets; the counts are kept in
the home for the console's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ldap.dn import str2dn
from sqlalchemy import Engine

from bascule.domain.calendar import Milestone, rentree_year_of
from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.operations.calendars import load_calendar
from bascule.operations.campaign import (
    nothing_imported,
    plan_in_force,
    plan_needed,
    school_name,
)
from bascule.operations.summaries import VERIFICATION, keep_summary
from bascule.settings import Settings
from bascule.spaces.store import load_school_spaces
from bascule.spaces.tree import acl_differences, missing_acl_tools, sync_tree
from bascule.store.audit import last_applied, last_done
from bascule.store.engine import open_store
from bascule.store.sealed import Sealer
from bascule.store.staging import latest_staged_sha256, staged_year
from bascule.targets.sync import SyncReport, sync_target
from bascule.verification.gather import listed_elsewhere, store_input
from bascule.verification.model import Finding as Finding
from bascule.verification.model import Severity as Severity
from bascule.verification.model import TargetState, verify
from bascule.verification.model import counts as counts
from bascule.verification.report import write_report as write_report


@dataclass(frozen=True, slots=True)
class Verification:
    findings: list[Finding]
    verification_starts: datetime | None  # the calendar's date, when still to come


def run_verification(settings: Settings, uai: str, *, now: datetime) -> Verification:
    engine = open_store(settings.store_url)
    staged_sha256 = latest_staged_sha256(engine, uai)
    if staged_sha256 is None:
        raise nothing_imported(uai)
    targets = (*_directories(settings, uai, now), *_spaces(settings, uai))
    # The export's élèves are judged as the plan judges them, on the same day: verify and plan
    # never disagree on who is present.
    findings = verify(store_input(
        engine, uai, targets, today=local_time(now).date(),
        plan_pending=plan_needed(engine, uai, staged_sha256, now=now),
        eleves_held=_eleves_held(engine, uai),
        eleves_listed_elsewhere=_listed_elsewhere(settings, engine, uai, now)))
    keep_summary(settings, uai, VERIFICATION, dict(counts(findings)), now)
    starts = load_calendar(settings.home, rentree_year_of(now), uai).start(
        Milestone.VERIFICATION)
    return Verification(findings, starts if starts is not None and now < starts else None)


def _eleves_held(engine: Engine, uai: str) -> tuple[str, ...]:
    """The élèves of the export the plan in force held before they had an account here (a
    double enrolment, an identity in doubt): « NOM Prénom (eleve:…) : why »."""
    plan = plan_in_force(engine, uai)
    return () if plan is None else tuple(
        f"{held.label} ({held.key}) : {held.reason}" for held in plan.held
        if not held.known and not held.accounts and held.key.startswith("eleve:"))


def _listed_elsewhere(settings: Settings, engine: Engine, uai: str,
                      now: datetime) -> tuple[str, ...]:
    """« NOM Prénom (login) : inscrit(e) aussi dans un autre collège du dossier, Nom (UAI),
    par son export du JJ/MM/AAAA ; son compte reste ici »."""
    return tuple(
        f"{one.label} : inscrit(e) aussi dans un autre collège du dossier, "
        f"{school_name(settings, one.school)} ({one.school}), par son export du "
        f"{one.export_date:%d/%m/%Y} ; son compte reste ici"
        for one in listed_elsewhere(engine, uai, settings.uais, today=local_time(now).date()))


def _directories(settings: Settings, uai: str, now: datetime) -> list[TargetState]:
    engine = open_store(settings.store_url)
    sealer = Sealer.from_key_file(settings.sealing_key)
    states = []
    for target in settings.targets_of(uai):
        try:
            report = sync_target(engine, sealer, target, all_targets=[], dry_run=True, now=now,
                                 actor="verify")
            unreachable = ""
        except UserError as failure:
            report, unreachable = None, failure.message
        states.append(TargetState(
            name=target.name, what="annuaire",
            differences=_lines(report) if report is not None else (),
            logins=tuple(_first_value(member) for _group, member, _add in report.memberships)
            if report is not None else (),
            unreachable=unreachable, last_sync=last_done(engine, uai, "sync", target.name),
            last_apply=last_applied(engine, uai)))
    return states


def _lines(report: SyncReport) -> tuple[str, ...]:
    """Memberships in words (who is missing from, or still in, which group); other writes as
    the sync would make them."""
    memberships = tuple(
        f"{_first_value(member)} {'manque dans' if add else 'est encore dans'} "
        f"{_first_value(group)}" for group, member, add in report.memberships
        if not member.lower().startswith("cn=aucun-membre,"))
    others = tuple(line for line in report.changes if not line.startswith("modification groupe"))
    return memberships + others


def _first_value(dn: str) -> str:
    """uid=lmartin,ou=Eleves,… -> lmartin"""
    return str(str2dn(dn)[0][0][1])


def _spaces(settings: Settings, uai: str) -> list[TargetState]:
    """Only for a school whose spaces bascule provisions: missing spaces, last year's class
    spaces still in place, and rights that differ from what the directory says."""
    root = settings.spaces_root / uai
    if not root.is_dir():
        return []
    engine = open_store(settings.store_url)
    school = load_school_spaces(engine, uai, root, settings.space_quotas_gb, allocate=False,
                                leavers_read=settings.leavers_keep_files)
    changes = sync_tree(root, school.spaces, school_year=staged_year(engine, uai).start,
                        dry_run=True)
    lines = (*(f"espace manquant {space}" for space in changes.created),
             *(f"espace de l'an passé encore en place {space}" for space, _ in changes.retired),
             *acl_differences(root, school.spaces, school.users, school.groups))
    missing = missing_acl_tools()
    if missing:  # rights neither set nor readable: say it, rather than nothing to report
        lines = (*lines, "droits des espaces ni posés ni vérifiés")
    return [TargetState(name=str(root), what="espaces", differences=lines, missing_tools=missing,
                        last_sync=last_done(engine, uai, "espaces"),
                        last_apply=last_applied(engine, uai))]
