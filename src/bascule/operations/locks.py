"""One change at a time to a school's accounts: an advisory lock per school.

`<home>/.verrous/<UAI>.lock`, taken with flock(2): the kernel releases it when its holder's
process dies, however it dies, so a crash never leaves a school locked. The file says who holds
it, for the French refusal of whoever comes second. Two processes on one folder, or a console
and a command beside it, wait for each other (a bounded time) instead of both writing.

With a PostgreSQL store, a session-level advisory lock of the school is taken too: two folders
on two machines sharing one store wait for each other the same way (the server releases the
lock when its holder's connection drops).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.store.advisory import advisory_lock, lock_key

LOCKS_FOLDER = ".verrous"
WAIT_SECONDS = 30.0  # a normal apply of a collège takes a few seconds
_POLL_SECONDS = 0.1


_HELD: set[int] = set()  # this process's lock descriptors


def _close_in_child() -> None:
    """A forked child (the hashing and slips pools) never keeps its parent's locks: a
    descriptor it inherited would hold the flock after its parent died (a killed apply's
    school seemed busy until its pool's workers exited)."""
    for descriptor in _HELD:
        os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def _lock_file(home: Path, name: str) -> Iterator[int]:
    """The open descriptor of `<home>/.verrous/<name>`, closed (its lock released) at the end."""
    folder = home / LOCKS_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)
    _HELD.add(descriptor)
    try:
        yield descriptor
    finally:
        _HELD.discard(descriptor)
        os.close(descriptor)  # closing releases the lock


@contextmanager
def school_lock(home: Path, uai: str, doing: str, *, wait_seconds: float = WAIT_SECONDS,
                engine: Engine | None = None) -> Iterator[None]:
    """Hold the school's lock while the block runs; wait for it at most `wait_seconds`, then
    refuse (UserError) saying what holds it. `doing` says what this holder does, in French.
    `engine`: the store, locked too when it is PostgreSQL."""
    deadline = time.monotonic() + wait_seconds
    with _folder_lock(home, uai, doing, deadline):
        if engine is None or engine.dialect.name != "postgresql":
            yield
            return
        with advisory_lock(engine, lock_key(f"bascule:{uai}"), deadline=deadline) as locked:
            if not locked:
                raise UserError(
                    f"Une autre opération modifie déjà les comptes de {uai}, depuis un autre "
                    "poste qui partage la même base. Rien n'a été fait.",
                    hint="Attendez qu'elle se termine, puis relancez.")
            yield


@contextmanager
def _folder_lock(home: Path, uai: str, doing: str, deadline: float) -> Iterator[None]:
    with _lock_file(home, f"{uai}.lock") as descriptor:
        _acquire(descriptor, uai, deadline)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{doing} (processus {os.getpid()}, depuis "
                              f"{local_time(datetime.now().astimezone()):%H:%M:%S})".encode(), 0)
        yield


def _acquire(descriptor: int, uai: str, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _busy(descriptor, uai) from None
            time.sleep(_POLL_SECONDS)


def _busy(descriptor: int, uai: str) -> UserError:
    holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
    return UserError(
        f"Une autre opération modifie déjà les comptes de {uai} : {holder or 'en cours'}. "
        "Rien n'a été fait.",
        hint="Attendez qu'elle se termine, puis relancez (bascule plan montre alors ce qui "
             "reste à faire).",
        console_hint="Attendez qu'elle se termine, puis rechargez la page et recommencez.")


NIGHT_LOCK = "nuit"


@contextmanager
def night_lock(home: Path) -> Iterator[None]:
    """One night at a time on a folder (`bascule run`): a second one is refused at once, the
    lock released by the kernel if the first one dies."""
    with _lock_file(home, f"{NIGHT_LOCK}.lock") as descriptor:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
            raise UserError(f"Une autre nuit tourne déjà sur ce dossier ({holder or 'en cours'})"
                            " : rien n'a été fait.",
                            hint="Attendez qu'elle se termine ; son rapport sera dans "
                                 "rapports/nuits/.") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"processus {os.getpid()}, depuis "
                              f"{local_time(datetime.now().astimezone()):%H:%M:%S}".encode(), 0)
        yield


CONSOLE_LOCK = "console.lock"


@contextmanager
def console_running(home: Path) -> Iterator[None]:
    """Held (shared: several consoles may serve one folder) while a console serves the folder,
    so that what must not run under it (a restore of the store) knows."""
    with _lock_file(home, CONSOLE_LOCK) as descriptor:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield


@contextmanager
def no_console(home: Path) -> Iterator[None]:
    """While the block runs, no console may start on this folder; UserError if one runs."""
    with _lock_file(home, CONSOLE_LOCK) as descriptor:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError("La console web de ce dossier est en marche : rien n'a été fait.",
                            hint="Arrêtez-la (bascule serve, Ctrl+C), puis relancez.") from None
        yield
