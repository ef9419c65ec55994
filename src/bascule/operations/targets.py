"""Provisioning the school's directory targets (the pedagogical server's OpenLDAP or Active
Directory): register them, and sync them from the store on the campaign calendar."""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bascule.bulk import bulk_phase
from bascule.domain.calendar import Milestone, allowed_at, rentree_year_of
from bascule.domain.school import describe_moment
from bascule.errors import UserError
from bascule.operations.calendars import load_calendar
from bascule.operations.campaign import force_past_gate
from bascule.settings import Settings, remove_target, save_target
from bascule.store.engine import open_store
from bascule.store.sealed import Sealer
from bascule.targets.config import DEFAULT_OUS as DEFAULT_OUS
from bascule.targets.config import TargetConfig as TargetConfig
from bascule.targets.config import TargetKind as TargetKind
from bascule.targets.sync import SyncReport as SyncReport
from bascule.targets.sync import sync_target

# Schools synced at once: one per core measured best here, where the servers share the cores;
# schools' own servers, over a network, leave the cores to bascule.
PARALLEL_TARGETS = max(2, os.cpu_count() or 1)


class TargetProgress:
    """What a long sync tells its user as it goes, for one target; silent by default."""

    def total(self, writes: int) -> None:
        """How many writes this target needs."""

    def advance(self) -> None:
        """One more write answered."""


class SyncProgress:
    def begin(self, target: TargetConfig) -> TargetProgress:
        """A new target: its writes are about to be counted."""
        return TargetProgress()


def add_target(settings: Settings, config: TargetConfig) -> Settings:
    if config.kind is TargetKind.AD and not (config.url.lower().startswith("ldaps://")
                                             or config.ca_file is not None):
        raise UserError(f"La cible AD « {config.name} » doit être jointe en TLS : Active "
                        "Directory ne reçoit un mot de passe (unicodePwd) que chiffré.",
                        hint="Donnez une URL ldaps://… et, si l'autorité n'est pas celle du "
                             "système, --ca-file.")
    if config.password_file is not None and not config.password_file.is_file():
        raise UserError(f"Le fichier du mot de passe {config.password_file} n'existe pas.",
                        hint="Écrivez le mot de passe du compte de connexion dans un fichier "
                             "lisible par bascule seul (chmod 600), et donnez son chemin.")
    return save_target(settings.home, config)


def drop_target(settings: Settings, name: str) -> Settings:
    return remove_target(settings.home, name)


def chosen_targets(settings: Settings, uai: str | None, name: str | None
                   ) -> list[TargetConfig]:
    targets = [t for t in settings.targets if uai is None or t.uai == uai]
    if name is not None:
        targets = [t for t in targets if t.name == name]
    if not targets:
        raise UserError(f"Aucune cible {'« ' + name + ' » ' if name else ''}à synchroniser.",
                        hint="Déclarez-en une : bascule target add NOM --kind openldap|ad "
                             "--url … --base-dn … --bind-dn … --password-file …")
    return targets


def check_calendar_gate(settings: Settings, target: TargetConfig, *, now: datetime,
                        force: bool, by: str | None, actor: str) -> str | None:
    """None when the calendar allows the sync now; the forcing's reason when forced by a role
    allowed to; a French refusal, with the resumption date, otherwise."""
    calendar = load_calendar(settings.home, rentree_year_of(now), target.uai)
    if allowed_at(calendar, now).imports_to_pedagogical_server:
        return None
    resumes = calendar.start(Milestone.PEDAGOGICAL_SERVER_RESUMES)
    when = describe_moment(resumes) if resumes else "la date du calendrier"
    return force_past_gate(
        settings, target.uai, subject=target.name, now=now, force=force, by=by, actor=actor,
        closed=f"Les imports vers le serveur pédagogique sont suspendus pour l'été : la cible "
               f"« {target.name} » reprend le {when}.",
        how="bascule sync ldap --force", detail={"suspension": "imports vers le serveur "
                                                  "pédagogique", "reprise": when})


def sync_targets(settings: Settings, targets: list[TargetConfig], *, now: datetime,
                 actor: str, dry_run: bool, force: bool = False, by: str | None = None,
                 progress: SyncProgress | None = None) -> list[SyncReport]:
    """Several targets at once; the calendar is checked for all of them before anything is
    written. A target that fails (unreachable, interrupted) has its failure in its report."""
    if not dry_run:
        for target in targets:
            check_calendar_gate(settings, target, now=now, force=force, by=by, actor=actor)
    engine = open_store(settings.store_url)
    sealer = Sealer.from_key_file(settings.sealing_key)
    progress = progress or SyncProgress()

    def sync(target: TargetConfig) -> SyncReport:
        shown = progress.begin(target)
        try:
            return sync_target(engine, sealer, target,
                               all_targets=[t.name for t in settings.targets_of(target.uai)],
                               dry_run=dry_run, now=now, actor=by or actor,
                               on_total=shown.total, on_done=shown.advance)
        except UserError as failure:  # this target only: the others go on
            return SyncReport(target=target.name, dry_run=dry_run, failure=failure)

    def sync_school(school: list[TargetConfig]) -> list[SyncReport]:
        return [sync(target) for target in school]  # they share the school's POSIX numbers

    # Each school's server is its own: while one waits on its server, another school reads the
    # store and computes its difference.
    schools: dict[str, list[TargetConfig]] = defaultdict(list)
    for target in targets:
        schools[target.uai].append(target)
    with bulk_phase(), ThreadPoolExecutor(
            max_workers=min(PARALLEL_TARGETS, len(schools))) as pool:
        return [report for done in pool.map(sync_school, schools.values()) for report in done]
