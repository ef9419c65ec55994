"""Logins: `pnom` on the pedagogical network, `p.nom` for EduConnect and the ENT.

A login is the first letter of the first name and the usage name, transliterated to ASCII,
lowercase, letters and digits only (and the dot of p.nom), at most 20 characters (the limit of
an Active Directory sAMAccountName). Homonyms get the smallest free ordinal from 2 on; the base
is shortened so that base and ordinal fit. Whether a login is free is the registry's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache

from anyascii import anyascii

from bascule.domain.reserved import RESERVED_NAMES
from bascule.values import quick_init

MAX_LOGIN_LENGTH = 20
_NOT_LOGIN_CHARACTER = re.compile(r"[^a-z0-9]")
# Never issued: the one table of names reserved on every kind of target (domain/reserved.py).
RESERVED_LOGINS = frozenset(RESERVED_NAMES)
_FALLBACK = "compte"  # a name with no letter at all, in any script


class LoginKind(Enum):
    NETWORK = "pnom"
    EDUCONNECT = "p.nom"


def _plain(text: str) -> str:
    """é→e, œ→oe, ß→ss, ø→o, ł→l, then lowercase letters and digits only."""
    return _NOT_LOGIN_CHARACTER.sub("", anyascii(text).lower())


@lru_cache(maxsize=65536)
def login_base(first_name: str, last_name: str) -> tuple[str, str]:
    """The initial and the name part of a login, before any ordinal or shortening (kept for
    the next person of the same name, and for the other kind of login: a first rollover asks
    tens of thousands of times)."""
    initial, name = _plain(first_name)[:1], _plain(last_name)
    if not name:
        initial, name = "", _plain(first_name) or _FALLBACK
    return initial, name


def login_form(first_name: str, last_name: str, kind: LoginKind, ordinal: int = 1) -> str:
    """The login of rank `ordinal` (1 is the bare form), shortened to fit 20 characters."""
    return _form(login_base(first_name, last_name), kind, ordinal)


def _form(base: tuple[str, str], kind: LoginKind, ordinal: int) -> str:
    initial, name = base
    separator = "." if kind is LoginKind.EDUCONNECT and initial else ""
    suffix = "" if ordinal == 1 else str(ordinal)
    room = MAX_LOGIN_LENGTH - len(initial) - len(separator) - len(suffix)
    return f"{initial}{separator}{name[:room]}{suffix}"




def is_reserved(login: str) -> bool:
    """A login no one may hold: a group's or a built-in account's name (domain/reserved.py)."""
    return login.casefold() in RESERVED_LOGINS


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class LoginHolding:
    """Who holds (or last held) a login, and since when it is free (None while held)."""

    login: str
    holder: str  # the person's stable key in the directory
    freed_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginRegistry:
    """The logins of one namespace. A held login is taken, even by a disabled account; a freed
    login is quarantined for anyone else; the same person always gets their login back."""

    holdings: dict[str, LoginHolding]
    quarantine: timedelta

    def is_free_for(self, login: str, person: str, now: datetime) -> bool:
        return not is_reserved(login) and self._available(self.holdings.get(login), person, now)

    def _available(self, holding: LoginHolding | None, person: str, now: datetime) -> bool:
        if holding is None or holding.holder == person:
            return True
        return holding.freed_at is not None and now >= holding.freed_at + self.quarantine

    def first_free_for(self, first_name: str, last_name: str, kind: LoginKind, person: str,
                       now: datetime) -> str:
        """The first form free here for `person`: the bare form, then ordinals 2, 3, …;
        reserved names are skipped (a plain loop: a first rollover allocates tens of
        thousands)."""
        base, ordinal, holdings = login_base(first_name, last_name), 1, self.holdings
        while True:
            login = _form(base, kind, ordinal)
            # A form is lowercase ASCII letters, digits and dots: its own casefold (is_reserved).
            # Most forms are held by no one (a first rollover's all): no call to know it.
            if login not in RESERVED_LOGINS and (
                    (holding := holdings.get(login)) is None
                    or self._available(holding, person, now)):
                return login
            ordinal += 1
