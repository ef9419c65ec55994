"""The store's backups: one taken with an apply by hand (while it writes, of the state it
starts from) unless a recent one already covers it, one a night for all the night's applies
(before the first), kept `[backup] retention_days` (the newest few always), listed, and
restored while nothing else holds the store."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.operations.locks import night_lock, no_console, school_lock
from bascule.settings import Settings
from bascule.store.audit import last_journaled
from bascule.store.backups import (
    Backup,
    PendingBackup,
    list_backups,
    remove_backup,
    restore_backup,
    start_backup,
    store_name,
)
from bascule.store.engine import open_store
from bascule.store.operators import operator_tables, put_back
from bascule.store.people import journal_entry
from bascule.store.sessions import end_every_session, live_session_count

ALWAYS_KEPT = 5  # the newest backups, whatever their age
NIGHT_BACKUP_LOCK = "sauvegarde-nuit"  # a lock file beside the schools' (and a PostgreSQL lock)
NIGHT_BACKUP_WAIT_SECONDS = 3600.0  # the night's other applies wait for its copy


def start_backup_before_apply(settings: Settings, uai: str, *, actor: str,
                              now: datetime) -> PendingBackup | None:
    """The consistent copy of the whole store an apply starts from, made while the apply
    writes; None when `[backup] before_apply = false`. The caller holds the school's lock and
    commits its apply only once `finish_backup` has returned: the copy reads the store as last
    committed, so it holds none of the apply's writes (and nothing else writes this school)."""
    if not settings.backup_before_apply:
        return None
    engine = open_store(settings.store_url)
    return start_backup(engine, settings.backups, _fresh_id(settings, uai, now), uai=uai,
                        actor=actor, reason="avant l'application du plan", now=now)


def covering_backup(settings: Settings, *, now: datetime) -> Backup | None:
    """The newest backup, when it may stand for a new one before an apply by hand that undo
    will take back (the caller knows): a copy of this store (not of another one the folder
    used before), taken at most `[backup] reuse_hours` before `now`, and not before a restore
    (a restore journals itself for every school of the folder). Restoring it puts back the
    store as it was before this apply and the ones since, each of them also undoable from its
    change record; copying the whole store (every school of a département's folder) before
    each small apply would cost more than the apply itself, and as much disk each time.
    None: take a backup of its own."""
    if not settings.backup_before_apply or settings.backup_reuse <= timedelta(0):
        return None
    engine = open_store(settings.store_url)
    newest = next(iter(backups(settings)), None)
    if (newest is None or newest.store != store_name(engine)
            or not now - settings.backup_reuse <= newest.taken_at <= now):
        return None
    restored = last_journaled(engine, settings.uais, "restauration")
    return newest if restored is None or restored < newest.taken_at else None


def night_backup(settings: Settings, *, night: datetime, actor: str,
                 now: datetime) -> Backup | None:
    """The night's one backup, of the store before any of its applies: taken by its first
    apply (which holds its school's lock and has written nothing yet), found by the others.
    Applies of the same night, in this process or others (the pool's, the queue's workers on
    other machines sharing the folder and the store), take the lock of the night's backup in
    turn: none writes before the copy is made. `night`: the night's moment, the same for all its
    schools. None when `[backup] before_apply = false`."""
    if not settings.backup_before_apply:
        return None
    engine = open_store(settings.store_url)
    with ExitStack() as held:
        try:
            held.enter_context(school_lock(settings.home, NIGHT_BACKUP_LOCK,
                                           "sauvegarde de la nuit",
                                           wait_seconds=NIGHT_BACKUP_WAIT_SECONDS, engine=engine))
        except UserError:  # its words would name the lock as if it were a school
            raise UserError(
                "La sauvegarde de la nuit, commencée par l'application d'un autre "
                f"établissement, n'est pas finie après {int(NIGHT_BACKUP_WAIT_SECONDS // 60)} "
                "minutes : rien n'a été appliqué ici.",
                hint="Voyez où en est la nuit (bascule run --status, ou son rapport), puis "
                     "relancez.") from None
        for backup in backups(settings):
            if backup.night == night:
                return backup
        return finish_backup(settings, start_backup(
            engine, settings.backups, _fresh_id(settings, "nuit", now), uai="tous",
            actor=actor, reason="avant les applications de la nuit", now=now, night=night),
            now=now)


def finish_backup(settings: Settings, pending: PendingBackup, *, now: datetime) -> Backup:
    """Wait for the copy (UserError if it failed); old ones past the retention go."""
    taken = pending.finish()
    for old in backups(settings)[ALWAYS_KEPT:]:
        if old.taken_at < now - settings.backup_retention:
            remove_backup(old)
    return taken


def _fresh_id(settings: Settings, uai: str, now: datetime) -> str:
    """`<date>-<heure>-<UAI>`, numbered when two backups fall in the same second."""
    stem = f"{local_time(now):%Y%m%d-%H%M%S}-{uai}"
    taken = {backup.id for backup in backups(settings)}
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def backups(settings: Settings) -> list[Backup]:
    """The folder's backups, newest first."""
    return list_backups(open_store(settings.store_url), settings.backups)


def find_backup(settings: Settings, backup_id: str) -> Backup:
    for backup in backups(settings):
        if backup.id == backup_id:
            return backup
    raise UserError(f"Aucune sauvegarde « {backup_id} » dans {settings.backups}.",
                    hint="bascule backup list montre les sauvegardes et leurs identifiants.")


def _refuse_remote_consoles(engine: Engine, now: datetime) -> None:
    """A PostgreSQL store may be served by a console on another machine, which the folder's
    lock does not see: its open sessions do."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        live = live_session_count(connection, now)
    if live:
        raise UserError(f"{live} session(s) de la console sont ouvertes sur cette base (une "
                        "console tourne peut-être sur un autre poste) : rien n'a été restauré.",
                        hint="Arrêtez les consoles qui servent cette base, fermez leurs "
                             "sessions, puis relancez.")


def restore(settings: Settings, backup_id: str, *, actor: str, now: datetime) -> Backup:
    """Put the store back as the backup holds it. Refused while a console serves the folder,
    a night runs, or an import or apply holds a school (nothing waits: a restore under them
    would undo their work). The console sessions of the backup are ended (they may have been ended
    since), and the restore is journaled for every school of the folder. The operators'
    accounts are the département's, not the schools': they stay as they are now."""
    backup = find_backup(settings, backup_id)
    engine = open_store(settings.store_url)
    with ExitStack() as held:
        held.enter_context(no_console(settings.home))
        held.enter_context(night_lock(settings.home))  # a night between two schools' locks
        _refuse_remote_consoles(engine, now)
        for uai in sorted(settings.uais):
            held.enter_context(school_lock(settings.home, uai, f"restauration par {actor}",
                                           wait_seconds=0, engine=engine))
        with engine.connect() as connection:
            team = operator_tables(connection)
        restore_backup(engine, backup)
        engine = open_store(settings.store_url)  # a backup of an older version: migrated
        with engine.begin() as connection:
            put_back(connection, team)
            end_every_session(connection, now, "sauvegarde restaurée")
            for uai in sorted(settings.uais):
                journal_entry(connection, uai, "restauration", backup.id, actor, now,
                              {"sauvegarde": backup.id, "prise_le": backup.taken_at.isoformat(),
                               "motif": backup.reason})
    return backup
