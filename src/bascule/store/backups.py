"""Consistent copies of the whole store, taken before an apply (or while it writes), and their
restore.

SQLite: the online backup API (sqlite3's `Connection.backup`), in one step under a read
transaction: a copy is consistent even while a console reads or a writer writes (WAL: what a
writer has not committed is not in it). PostgreSQL: `pg_dump --format=custom`, one consistent
snapshot of the database, restored by `pg_restore --clean --single-transaction`. A copy is
made in a thread (`start_backup`) while the caller goes on; `PendingBackup.finish` waits for
it. Each backup is a file beside a small JSON (`<id>.json`: school, who, why, when), mode 0600
in a folder 0700: it holds personal data and password hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bascule.errors import UserError

_SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Backup:
    """One copy of the store: `id` is its file's stem (`20260901-083000-0861000V`)."""

    id: str
    path: Path
    uai: str
    taken_at: datetime
    actor: str
    reason: str  # in French: "avant l'application du plan"
    size: int  # bytes
    night: datetime | None = None  # a night's one backup: that night's moment (`bascule run`)
    store: str | None = None  # which store it copied (`store_name`); None: an older backup


def start_backup(engine: Engine, folder: Path, backup_id: str, *, uai: str, actor: str,
                 reason: str, now: datetime, night: datetime | None = None) -> PendingBackup:
    """Copy the store to `folder/<backup_id>.<suffix>` in a thread; `finish()` waits for it.
    Its snapshot of the store is the last committed state at some moment between this call and
    `finish()`'s return. A caller that commits nothing
    before `finish()` returns (an apply waits for it before its commit) gets a copy without its
    writes."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{backup_id}{_suffix(engine)}"
    partial = path.with_name(path.name + ".partiel")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    copy = (_Copy(_sqlite_copy, _sqlite_file(engine), partial)
            if engine.dialect.name == "sqlite" else _Copy(_pg_dump, engine, partial))
    meta = {"uai": uai, "actor": actor, "reason": reason, "taken_at": now.isoformat(),
            "store": store_name(engine)}
    if night is not None:
        meta["night"] = night.isoformat()
    copy.start()
    return PendingBackup(backup_id, path, partial, meta, copy)


class _Copy(threading.Thread):
    """Copies the store into a partial file; what stopped it is kept for `finish`."""

    def __init__(self, copy: Callable[[Any, Path], None], source: Path | Engine,
                 partial: Path):
        super().__init__(name=f"sauvegarde {partial.name}", daemon=True)
        self._work = copy, source, partial
        self.failure: BaseException | None = None

    def run(self) -> None:
        copy, source, partial = self._work
        try:
            copy(source, partial)
        except (OSError, sqlite3.Error) as error:  # a full disk, a folder it may not write
            self.failure = UserError(
                f"Sauvegarde impossible dans {partial.parent} : {error}. Rien n'a été "
                "appliqué.", hint="Libérez de la place ou rendez le dossier inscriptible, puis "
                "relancez ; ou, à vos risques, [backup] before_apply = false dans "
                "bascule.toml.")
        except BaseException as error:  # raised again by finish(), in the caller's thread
            self.failure = error


@dataclass(slots=True)
class PendingBackup:
    """A backup being written (`start_backup`): its `id` known at once."""

    id: str
    _path: Path
    _partial: Path
    _meta: dict[str, str]
    _copy: _Copy
    _done: Backup | None = None

    def finish(self) -> Backup:
        """Wait for the copy; the Backup (the same one when called again), or the error that
        stopped it (UserError when it cannot be done), its partial file removed."""
        self._copy.join()
        if self._copy.failure is not None:
            self._partial.unlink(missing_ok=True)
            raise self._copy.failure
        if self._done is None:
            self._partial.rename(self._path)
            _write_private(self._path.with_suffix(".json"),
                           json.dumps(self._meta, ensure_ascii=False))
            self._done = _backup(self._path, self._meta)
        return self._done


def list_backups(engine: Engine, folder: Path) -> list[Backup]:
    """The backups of this store's kind, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{_suffix(engine)}"):
        meta_path = path.with_suffix(".json")
        if meta_path.is_file():
            found.append(_backup(path, json.loads(meta_path.read_text(encoding="utf-8"))))
    return sorted(found, key=lambda backup: (backup.taken_at, backup.id), reverse=True)


def remove_backup(backup: Backup) -> None:
    backup.path.unlink(missing_ok=True)
    backup.path.with_suffix(".json").unlink(missing_ok=True)


def restore_backup(engine: Engine, backup: Backup) -> None:
    """Replace the whole store by the backup's content. The caller holds every lock."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _sqlite_copy(backup.path, _sqlite_file(engine))
    else:
        _pg_restore(engine, backup.path)
    engine.dispose()


def _backup(path: Path, meta: dict[str, str]) -> Backup:
    return Backup(id=path.stem, path=path, uai=meta["uai"], actor=meta["actor"],
                  reason=meta["reason"], taken_at=datetime.fromisoformat(meta["taken_at"]),
                  size=path.stat().st_size,
                  night=datetime.fromisoformat(meta["night"]) if "night" in meta else None,
                  store=meta.get("store"))


def store_name(engine: Engine) -> str:
    """The store a backup copies, as its metadata names it: its URL without the password."""
    return engine.url.render_as_string(hide_password=True)


def _suffix(engine: Engine) -> str:
    try:
        return _SUFFIXES[engine.dialect.name]
    except KeyError:
        raise UserError(f"Sauvegarde impossible : base {engine.dialect.name} non prise en "
                        "charge (SQLite ou PostgreSQL).") from None


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise UserError("Sauvegarde impossible : la base SQLite n'est pas un fichier.")
    return Path(database)


def _sqlite_copy(source: Path, destination: Path) -> None:
    """SQLite's online backup: consistent, whatever reads or writes meanwhile."""
    with sqlite3.connect(source) as reader, sqlite3.connect(destination) as writer:
        reader.backup(writer)
    reader.close()
    writer.close()


def _pg_dump(engine: Engine, destination: Path) -> None:
    _run_pg(engine, "pg_dump", "--format=custom", "--no-owner", "--file", str(destination))


def _pg_restore(engine: Engine, source: Path) -> None:
    _run_pg(engine, "pg_restore", "--clean", "--if-exists", "--no-owner",
            "--single-transaction", str(source))


def _run_pg(engine: Engine, program: str, *arguments: str) -> None:
    """The password goes through the environment, never on a command line others can read."""
    if shutil.which(program) is None:
        raise UserError(f"Sauvegarde impossible : {program} est introuvable.",
                        hint="Installez le paquet postgresql-client (apt-get install "
                             "postgresql-client).")
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    target = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    done = subprocess.run([program, "--dbname", target, *arguments], env=environment,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UserError(f"{program} a échoué : {done.stderr.strip()[-500:]}",
                        hint="Vérifiez l'accès à la base (store.url dans bascule.toml).")


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
