"""Short-lived, read-once slots on the server: what a state-changing form produced (a password
just set, a PDF of slips, a message) waits here for the page the form redirects to (POST →
303 → GET). It is taken once, by the person who made it, then gone: a reload shows it no more
and does not redo the action. Nothing is written to disk; a slot not taken expires."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SLOT_SECONDS = 600.0  # a password or slips not fetched within ten minutes are dropped


@dataclass(frozen=True, slots=True)
class _Slot:
    owner: str
    expires: float
    value: object


class Slots:
    """Values by random id, for their owner (school:login) only."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 seconds: float = SLOT_SECONDS):
        self._clock, self._seconds = clock, seconds
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()

    def put(self, owner: str, value: object) -> str:
        """The id of a new slot holding `value` (unguessable: it is in a URL)."""
        number = secrets.token_urlsafe(24)
        with self._lock:
            self._drop_expired()
            self._slots[number] = _Slot(owner, self._clock() + self._seconds, value)
        return number

    def peek(self, owner: str, number: str) -> object | None:
        """The value, left in place; None when gone, expired or someone else's."""
        with self._lock:
            return self._find(owner, number)

    def take(self, owner: str, number: str) -> object | None:
        """The value, removed: nobody reads it again."""
        with self._lock:
            value = self._find(owner, number)
            if value is not None:
                del self._slots[number]
            return value

    def _find(self, owner: str, number: str) -> object | None:
        self._drop_expired()
        found = self._slots.get(number)
        return found.value if found is not None and found.owner == owner else None

    def _drop_expired(self) -> None:
        now = self._clock()
        for number in [n for n, slot in self._slots.items() if slot.expires <= now]:
            del self._slots[number]
