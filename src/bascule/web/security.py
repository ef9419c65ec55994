"""CSRF, sign-in and reset throttling, and security headers. The sessions themselves are kept
in the store (operations/sessions.py): the cookie holds only their random id."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "bascule_session"
ATTEMPTS = 5  # resets' default window size (see RESETS for the console's)
LOCKOUT_SECONDS = 300
# Failed sign-ins: free ones, then a delay doubling at each failure, per (login, address) and
# per address; never per login alone, so nobody can lock a person out from elsewhere.
FREE_FAILURES = 5  # of one login from one address
FREE_FAILURES_PER_ADDRESS = 30  # of any logins from one address (a school's shared address)
FIRST_DELAY = 2.0  # seconds, after the first failure beyond the free ones
LONGEST_DELAY = 15 * 60.0
FORGOTTEN_AFTER = 3600.0  # seconds without a failure: the count starts again
RESETS = 60  # passwords reset by one person within RESETS_SECONDS, each one of a whole
RESETS_SECONDS = 600  # division's counted (a teacher's 85 resets in 7 minutes: issue 17)
# The RRUPN's and the direction's resets inside whole divisions or groups (the rentrée's slips,
# a lost batch): a separate allowance, per person (domain/policy.py: RESET_IN_BULK says whose).
BULK_RESETS = 1000  # a big collège's élèves, in one hour
BULK_RESETS_SECONDS = 3600

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def csrf_valid(expected: str, token: str | None) -> bool:
    """Whether a form's token is its session's (compared in constant time)."""
    return token is not None and secrets.compare_digest(expected, token)


class Throttle:
    """Attempts per key within a window (resets by a person): a pause after too many."""

    def __init__(self, attempts: int = ATTEMPTS, seconds: float = LOCKOUT_SECONDS):
        self.attempts, self.seconds = attempts, seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, key: str) -> bool:
        recent = self._failures[key]
        while recent and recent[0] < time.monotonic() - self.seconds:
            recent.popleft()
        return len(recent) >= self.attempts

    def record(self, key: str) -> None:
        self._failures[key].append(time.monotonic())

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def admit(self, key: str, count: int = 1) -> bool:
        """Counts these `count` attempts (a whole division's resets) all or none; False when
        they would make too many in the window."""
        if self.remaining(key) < count:
            return False
        for _ in range(count):
            self.record(key)
        return True

    def remaining(self, key: str) -> int:
        """How many attempts the key may still make in the window."""
        self.blocked(key)  # forgets those out of the window
        return max(0, self.attempts - len(self._failures[key]))


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class SignInThrottle:
    """Growing delays after failed sign-ins, counted per (login, address) and per address.

    A success forgives only its own (login, address): another address's failures on the same
    login still count, so an attacker elsewhere gains nothing from the person signing in, and
    the person, from their own address, is never held up by the attacker's failures."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[tuple[str, str], _Failures] = {}

    @staticmethod
    def _keys(login: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return (login, address), ("", address)

    def wait(self, login: str, address: str) -> float:
        """Seconds before this login may be tried again from this address (0: now)."""
        pair, anywhere = self._keys(login, address)
        return max(self._remaining(pair, FREE_FAILURES),
                   self._remaining(anywhere, FREE_FAILURES_PER_ADDRESS))

    def _remaining(self, key: tuple[str, str], free: int) -> float:
        found = self._failures.get(key)
        if found is None or found.count < free:
            return 0.0
        delay: float = min(FIRST_DELAY * 2.0 ** (found.count - free), LONGEST_DELAY)
        return max(0.0, found.last + delay - self._clock())

    def failed(self, login: str, address: str) -> None:
        now = self._clock()
        if len(self._failures) > 100_000:  # a flood of made-up logins: drop the old ones
            self._failures = {key: value for key, value in self._failures.items()
                              if now - value.last < FORGOTTEN_AFTER}
        for key in self._keys(login, address):
            found = self._failures.get(key)
            if found is None or now - found.last > FORGOTTEN_AFTER:
                found = self._failures[key] = _Failures(0, now)
            found.count, found.last = found.count + 1, now

    def succeeded(self, login: str, address: str) -> None:
        self._failures.pop((login, address), None)


TOO_MANY_RESETS = "Trop de réinitialisations en peu de temps : réessayez dans quelques minutes."


def too_many_resets(asked: int, remaining: int) -> str:
    """The refusal of a reset that would pass the person's allowance (rien n'est fait)."""
    if asked <= 1:
        return TOO_MANY_RESETS
    return (f"Trop de réinitialisations en peu de temps : ces {asked} dépasseraient votre "
            f"limite (encore {remaining} possible(s) pour l'instant). Rien n'a été fait ; "
            "réessayez plus tard, ou demandez au référent numérique ou à la direction.")
