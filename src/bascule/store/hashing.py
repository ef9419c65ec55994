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
process pool.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from enum import Enum
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerifyMismatchError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
GENERATED_HASHER = PasswordHasher(time_cost=1, memory_cost=4 * 1024, parallelism=1,
                                  type=Type.ID)
_POOL_THRESHOLD = 8  # below that, starting processes costs more than it saves
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class PasswordOrigin(Enum):
    """Who made the password, which decides its hashing cost."""

    CHOSEN = "chosen"  # by its owner: OWASP's cost
    GENERATED = "generated"  # by bascule's CSPRNG, printed, to change at the first sign-in


def hasher_for(origin: PasswordOrigin) -> PasswordHasher:
    """Read at each call: the tests and benchmarks swap the module's hashers."""
    return GENERATED_HASHER if origin is PasswordOrigin.GENERATED else HASHER


def hash_password(password: str, origin: PasswordOrigin = PasswordOrigin.CHOSEN) -> str:
    return hasher_for(origin).hash(password)


def hash_generated_password(password: str) -> str:
    """For the pool (a plain module function pickles by name)."""
    return hash_password(password, PasswordOrigin.GENERATED)


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
    keys = list(passwords)
    work = hash_generated_password if origin is PasswordOrigin.GENERATED else hash_password
    if len(keys) < _POOL_THRESHOLD:
        hashes = [work(passwords[key]) for key in keys]
        on_hashed(len(keys))
        return dict(zip(keys, hashes, strict=True))
    result: dict[str, str] = {}
    chunk = max(1, len(keys) // ((os.cpu_count() or 1) * 8))
    with ProcessPoolExecutor(max_workers=os.cpu_count(), initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        for key, hashed in zip(keys, pool.map(work, (passwords[k] for k in keys),
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
