"""Password hashes: argon2id, at a cost chosen by where the password comes from, computed on
every core.

- A password someone chose (« Mon compte », or adopted from the pedagogical network): OWASP's
  second recommended setting, m = 19 MiB, t = 2, p = 1 (`HASHER`).
- A password bascule generated (initial or reset, `domain/passwords.py`): m = 4 MiB, t = 1,
  p = 1 (`GENERATED_HASHER`), about 13 times cheaper. It is drawn by a CSPRNG with at least
  45.9 bits, printed once and must be changed at the first sign-in; the README's « Password
  hashing » gives the cost of an offline guess at each setting.

argon2 writes its parameters into the hash, so `verify_password` accepts every stored hash,
whatever its cost. One hash per core at a time is how the rate scales, so batches go to a
process pool, which the apply starts first and reads last (`hash_in_background`): the hashes
are computed while everything else is written.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from enum import Enum
from functools import cache, partial
from typing import Any, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerifyMismatchError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
GENERATED_HASHER = PasswordHasher(time_cost=1, memory_cost=4 * 1024, parallelism=1,
                                  type=Type.ID)
_POOL_THRESHOLD = 8  # below that, starting processes costs more than it saves
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
T = TypeVar("T")


class PasswordOrigin(Enum):
    """Who made the password, which decides its hashing cost."""

    CHOSEN = "chosen"  # by its owner: OWASP's cost
    GENERATED = "generated"  # by bascule's CSPRNG, printed, to change at the first sign-in


def hasher_for(origin: PasswordOrigin) -> PasswordHasher:
    """Read at each call: the tests and benchmarks swap the module's hashers."""
    return GENERATED_HASHER if origin is PasswordOrigin.GENERATED else HASHER


def hash_password(password: str, origin: PasswordOrigin = PasswordOrigin.CHOSEN) -> str:
    return hasher_for(origin).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password is the one hashed; a deleted account (no hash) matches nothing.
    Each call also verifies against a hash of the other cost, so that the time a sign-in takes
    does not tell whether an account still holds its printed password."""
    stored = password_hash or _dummy_hash(PasswordOrigin.CHOSEN)
    generated = _origin_of(stored) is PasswordOrigin.GENERATED
    _matches(_dummy_hash(PasswordOrigin.CHOSEN if generated else PasswordOrigin.GENERATED),
             password)
    return bool(password_hash) and _matches(stored, password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)  # the parameters are the hash's own
    except (VerifyMismatchError, InvalidHashError):
        return False


def _origin_of(password_hash: str) -> PasswordOrigin:
    """GENERATED for a hash at the generated passwords' cost (argon2 says whether a hash's
    parameters differ from a hasher's)."""
    try:
        cheap = not GENERATED_HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        cheap = False
    return PasswordOrigin.GENERATED if cheap else PasswordOrigin.CHOSEN


@cache
def _dummy_hash(origin: PasswordOrigin) -> str:
    return hash_password("bascule: a hash to spend the same time on", origin)


def hash_passwords(
    passwords: Mapping[str, str], on_hashed: Callable[[int], None] = lambda _count: None,
    origin: PasswordOrigin = PasswordOrigin.CHOSEN,
) -> dict[str, str]:
    """The hash of each password, by the same key. The plaintexts never leave this process
    except to the pool's workers, through a pipe."""
    with background_workers(inline=len(passwords) < _POOL_THRESHOLD) as workers:
        return hash_in_background(workers, passwords, on_hashed, origin)()


class Workers:
    """Picklable work run beside the caller, on every core: a process pool whose workers die
    with this process, or, for too little work to pay for starting processes, run at once in
    the caller (`pool` None)."""

    def __init__(self, pool: ProcessPoolExecutor | None):
        self.pool = pool
        self._submitted: list[Future[Any]] = []

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T]:
        if self.pool is not None:
            future = self.pool.submit(work, *args)
            self._submitted.append(future)
            return future
        done: Future[T] = Future()
        try:
            done.set_result(work(*args))
        except Exception as exc:  # raised again by result(), as the pool's would be
            done.set_exception(exc)
        return done

    def stop(self) -> None:
        """Cancel the work not started and wait for the pieces running (one chunk each): past
        this, no worker writes anything."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def release(self) -> None:
        """Once all the work is done: the workers are told to end, and end while the caller
        goes on (an apply's pool took some 20 ms to join); `stop` if any work is not done."""
        if self.pool is None:
            return
        if all(future.done() for future in self._submitted):
            self.pool.shutdown(wait=False)
        else:
            self.stop()


@contextmanager
def background_workers(*, inline: bool = False) -> Iterator[Workers]:
    """Workers, stopped on leaving (on an error, waited for: past it, none writes anything;
    else released, all their work done). The pool's processes are forked at once, so that they
    inherit no lock the caller takes afterwards: a flock(2) is shared with the children, and
    a worker dying just after its killed parent would hold the school's lock a moment longer."""
    if inline:
        yield Workers(None)
        return
    pool = ProcessPoolExecutor(max_workers=os.cpu_count(), initializer=die_with_parent,
                               initargs=(os.getpid(),),
                               mp_context=multiprocessing.get_context("fork"))
    workers = Workers(pool)
    try:
        workers.submit(os.getpid).result()  # with fork, the first task starts every process
        yield workers
    except BaseException:
        workers.stop()
        raise
    workers.release()


def hash_in_background(
    workers: Workers, passwords: Mapping[str, str], on_hashed: Callable[[int], None],
    origin: PasswordOrigin,
) -> Callable[[], dict[str, str]]:
    """Start hashing now; the returned function waits for the hashes, by the same key as
    `passwords`, and raises what a worker raised. `on_hashed(count)` is called as chunks end,
    from the pool's thread."""
    keys = list(passwords)
    size = max(1, len(keys) // ((os.cpu_count() or 1) * 8))
    chunks = [keys[first:first + size] for first in range(0, len(keys), size)]
    futures = []
    for chunk in chunks:
        future = workers.submit(_hash_chunk, [passwords[key] for key in chunk], origin)
        future.add_done_callback(partial(_counted, count=len(chunk), on_hashed=on_hashed))
        futures.append(future)

    def hashes() -> dict[str, str]:
        return {key: hashed for chunk, future in zip(chunks, futures, strict=True)
                for key, hashed in zip(chunk, future.result(), strict=True)}

    return hashes


def _hash_chunk(passwords: list[str], origin: PasswordOrigin) -> list[str]:
    return [hash_password(password, origin) for password in passwords]


def _counted(done: Future[list[str]], count: int, on_hashed: Callable[[int], None]) -> None:
    if not done.cancelled() and done.exception() is None:
        on_hashed(count)


def die_with_parent(parent: int) -> None:
    """Run in each hashing worker: the kernel kills it when its parent dies, even by SIGKILL,
    so that no process holding plaintext passwords outlives the apply (Linux's
    PR_SET_PDEATHSIG; elsewhere the workers end when their pipe closes, after their chunk)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
