"""Logins: `pnom` on the pedagogical network, `p.nom` for EduConnect and the ENT.

A login is the first letter of the first name and the usage name, transliterated to ASCII,
lowercase, letters and digits only (and the dot of p.nom), at most 20 characters (the limit of
an Active Directory sAMAccountName). Homonyms get the smallest free ordinal from 2 on; the base
is shortened so that base and ordinal fit. Whether a login is free is the registry's business.

Each kind is its own namespace: `pnom` and `p.nom` are allocated apart, so a homonym's two
ordinals may differ (adavid2 and a.david3). A network login is unique in its school (each
school its own pedagogical server's directory); an EduConnect id in the whole folder (EduConnect
is académie-wide): the registry of a school's p.nom also sees the folder's other schools
(`LoginRegistry.elsewhere`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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


# The namespaces unique in the whole folder, not in each school: an EduConnect id is the
# académie's (two people of the folder never share one); a network login is each school's, whose
# pedagogical server has its own directory (a target is registered per school: `target add`).
FOLDER_WIDE = frozenset({LoginKind.EDUCONNECT})


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


def folder_holder(uai: str, key: str) -> str:
    """The holder of a login held in another school of the folder: a person's key is unique
    only in its school (each school's Siècle numbers its own ELEVE_ID)."""
    return f"{uai}/{key}"


@dataclass(slots=True)
class _Scanned:
    """How far `first_free_for` went for one base and kind: every form below `ordinal` was
    taken, on the day `now`, for anyone but the holders named in `holders`."""

    ordinal: int
    holders: set[str]
    now: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginRegistry:
    """The logins of one namespace. A held login is taken, even by a disabled account; a freed
    login is quarantined for anyone else; the same person always gets their login back.

    `elsewhere`: for a namespace shared by the folder (EduConnect), who holds or last held each
    login in the folder's other schools (holders as `folder_holder`); those logins are taken
    for a new allocation as the school's own are. A login this school already gave the person
    stays theirs even when another school gave it too (never renamed: `verify` reports it)."""

    holdings: dict[str, LoginHolding]
    quarantine: timedelta
    elsewhere: Mapping[str, tuple[LoginHolding, ...]] = field(default_factory=dict)
    # By base and kind, where the last scan of that base stopped: the next homonym starts
    # there. Without it, a folder's tenth school walked, for each of its thousands of p.nom,
    # the ordinals its nine others hold (half of a first rollover's plan). Sound because the
    # holdings only grow while a plan is computed, and a form taken for one person is taken for
    # any other but its holders: a holder of a skipped form scans from the bare form again.
    _scanned: dict[tuple[tuple[str, str], LoginKind], _Scanned] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def is_free_for(self, login: str, person: str, now: datetime, *,
                    also: str | None = None) -> bool:
        """`also`: the person's holder name in another school (an élève arriving from it)."""
        if is_reserved(login):
            return False
        holding = self.holdings.get(login)
        if holding is not None and holding.holder == person:
            return True
        return (self._available(holding, person, now)
                and self._free_elsewhere(login, person, now, also))

    def _available(self, holding: LoginHolding | None, person: str, now: datetime) -> bool:
        if holding is None or holding.holder == person:
            return True
        return holding.freed_at is not None and now >= holding.freed_at + self.quarantine

    def _free_elsewhere(self, login: str, person: str, now: datetime,
                        also: str | None) -> bool:
        return self._free_among(self.elsewhere.get(login, ()), person, now, also)

    def _free_among(self, others: tuple[LoginHolding, ...], person: str, now: datetime,
                    also: str | None) -> bool:
        for holding in others:
            if holding.holder != also and not self._available(holding, person, now):
                return False
        return True

    def first_free_for(self, first_name: str, last_name: str, kind: LoginKind, person: str,
                       now: datetime, *, also: str | None = None) -> str:
        """The first form free here for `person`: the bare form, then ordinals 2, 3, …;
        reserved names are skipped (a plain loop: a first rollover allocates tens of
        thousands)."""
        base, holdings = login_base(first_name, last_name), self.holdings
        scanned = self._scanned.get((base, kind))
        if (scanned is None or scanned.now != now or person in scanned.holders
                or also in scanned.holders):
            scanned = self._scanned[base, kind] = _Scanned(ordinal=1, holders=set(), now=now)
        ordinal, elsewhere = scanned.ordinal, self.elsewhere
        while True:
            login = _form(base, kind, ordinal)
            # A form is lowercase ASCII letters, digits and dots: its own casefold (is_reserved).
            # Most forms are held by no one (a first rollover's all): no call to know it.
            holding, others = holdings.get(login), elsewhere.get(login, ())
            if login not in RESERVED_LOGINS and (
                    holding is None or self._available(holding, person, now)) and (
                    self._free_among(others, person, now, also)):
                scanned.ordinal = ordinal
                return login
            if holding is not None:
                scanned.holders.add(holding.holder)
            scanned.holders.update(other.holder for other in others)
            ordinal += 1


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginOwner:
    """Someone of the folder who holds a login: their school, key and names (for reports)."""

    uai: str
    key: str
    profile: str
    last_name: str
    first_name: str
    email: str | None
    status: str | None  # their account's (labels.status_label), None without one

    @property
    def label(self) -> str:
        return f"{self.last_name} {self.first_name}"


def probably_same(one: LoginOwner, other: LoginOwner) -> bool:
    """Same profile, names and e-mail: probably one person known twice (a responsable with
    children in two schools, each school's Siècle giving its own PERSONNE_ID). Said, never acted
    on: names and an e-mail are not enough to decide an identity."""
    return (one.profile == other.profile and bool(one.email) and bool(other.email)
            and (one.email or "").strip().casefold() == (other.email or "").strip().casefold()
            and _plain(one.last_name) == _plain(other.last_name)
            and _plain(one.first_name) == _plain(other.first_name))


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedLogin:
    """One EduConnect id held in this school and, by someone else, in another of the folder."""

    login: str
    here: LoginOwner
    there: LoginOwner

    @property
    def probably_same(self) -> bool:
        return probably_same(self.here, self.there)
