"""Password hashes: argon2id with OWASP parameters, computed on every core.

OWASP's second recommended setting (m = 19 MiB, t = 2, p = 1): one hash per core at a time is
how the rate scales, so the work is spread over a process pool.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerifyMismatchError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
_POOL_THRESHOLD = 8  # below that, starting processes costs more than it saves
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password is the one hashed; a deleted account (no hash) matches nothing."""
    if not password_hash:
        return False
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def hash_passwords(
    passwords: Mapping[str, str], on_hashed: Callable[[int], None] = lambda _count: None
) -> dict[str, str]:
    """The hash of each password, by the same key. The plaintexts never leave this process
    except to the pool's workers, through a pipe."""
    keys = list(passwords)
    if len(keys) < _POOL_THRESHOLD:
        hashes = [hash_password(passwords[key]) for key in keys]
        on_hashed(len(keys))
        return dict(zip(keys, hashes, strict=True))
    result: dict[str, str] = {}
    chunk = max(1, len(keys) // ((os.cpu_count() or 1) * 8))
    with ProcessPoolExecutor(max_workers=os.cpu_count(), initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        for key, hashed in zip(keys, pool.map(hash_password, (passwords[k] for k in keys),
                                              chunksize=chunk), strict=True):
            result[key] = hashed
            on_hashed(1)
    return result


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
