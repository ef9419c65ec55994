"""bascule verify: the store's checks, and a read-only comparison of every target (directory,
spaces) with the store. Nothing is written anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bascule.calendars import load_calendar
from bascule.directory.audit import last_applied, last_done
from bascule.directory.sealed import Sealer
from bascule.directory.store import latest_staged_sha256, open_store, staged_year
from bascule.domain.calendar import Milestone, rentree_year_of
from bascule.errors import UserError
from bascule.pipeline import nothing_imported
from bascule.settings import Settings
from bascule.spaces.model import desired_spaces, quotas_in_bytes
from bascule.spaces.tree import sync_tree
from bascule.targets.store_view import school_view
from bascule.targets.sync import sync_target
from bascule.verification.gather import store_input
from bascule.verification.model import Finding, TargetState, verify


@dataclass(frozen=True, slots=True)
class Verification:
    findings: list[Finding]
    verification_starts: datetime | None  # the calendar's date, when still to come


def run_verification(settings: Settings, uai: str, *, now: datetime) -> Verification:
    engine = open_store(settings.store_url)
    if latest_staged_sha256(engine, uai) is None:
        raise nothing_imported(uai)
    targets = (*_directories(settings, uai, now), *_spaces(settings, uai))
    findings = verify(store_input(engine, uai, targets))
    starts = load_calendar(settings.home, rentree_year_of(now), uai).start(
        Milestone.VERIFICATION)
    return Verification(findings, starts if starts is not None and now < starts else None)


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
            differences=report.changes if report is not None else (),
            unreachable=unreachable, last_sync=last_done(engine, uai, "sync", target.name),
            last_apply=last_applied(engine, uai)))
    return states


def _spaces(settings: Settings, uai: str) -> list[TargetState]:
    """Only for a school whose spaces bascule provisions."""
    root = settings.spaces_root / uai
    if not root.is_dir():
        return []
    engine = open_store(settings.store_url)
    with engine.connect() as connection:
        view = school_view(connection, uai)
    spaces = desired_spaces(view, quotas_in_bytes(settings.space_quotas_gb))
    changes = sync_tree(root, spaces, school_year=staged_year(engine, uai).start, dry_run=True)
    lines = (*(f"espace manquant {space}" for space in changes.created),
             *(f"espace de l'an passé encore en place {space}" for space, _ in changes.retired))
    return [TargetState(name=str(root), what="espaces", differences=lines,
                        last_sync=last_done(engine, uai, "espaces"),
                        last_apply=last_applied(engine, uai))]
