"""Initial passwords: generated with `secrets`, checked against the policy.

The floor is the EduConnect rule of the memo: 12 characters at least, with 3 of the 4 classes
(upper, lower, digit, special). A configured policy may ask more, never less. Both generators
give all four classes and avoid characters that look alike once printed (I l 1 O 0 …), and no
password starts with = + - or @, which a spreadsheet would take for a formula.

- Staff and responsables: every character drawn from the whole printable alphabet.
- Élèves (an 11-year-old types it from a slip): two made-up words of consonant-vowel syllables,
  the first capitalised, joined by one easy symbol, then two digits: « Tabeko-rimusa47 ».
  `readable_entropy_bits` gives its strength (about 46 bits at 12 characters, README), as
  `random_entropy_bits` gives the staff's (at least 63.9 bits).
"""

from __future__ import annotations

import math
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass

from bascule.errors import UserError

MIN_LENGTH = 12
# Beyond it a slip has no room, and _Draws' shuffle could not draw an index (n <= 256).
MAX_LENGTH = 64
MIN_CLASSES = 3
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LOWER = "abcdefghijkmnpqrstuvwxyz"
DIGITS = "23456789"
SPECIAL = "!#$%&*+-=?@"
_PRINTABLE_ALPHABET = UPPER + LOWER + DIGITS + SPECIAL
# A cell of a spreadsheet that starts with one of these is a formula (CSV injection).
FORMULA_STARTS = frozenset("=+-@")
_FIRST_ALPHABET = UPPER + LOWER + DIGITS
# The readable ones: syllables without l (1, I), q, w, x, y; symbols without Shift on a French
# keyboard (and never first).
CONSONANTS = "bcdfghjkmnprstvz"
VOWELS = "aeiou"
EASY_SPECIAL = "-!*?"
_DIGITS_IN_READABLE = 2


class PolicyTooWeak(ValueError):
    """A configured policy below the EduConnect floor."""


class PolicyTooLong(ValueError):
    """A configured length beyond MAX_LENGTH."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordPolicy:
    min_length: int = MIN_LENGTH
    min_classes: int = MIN_CLASSES

    def __post_init__(self) -> None:
        if self.min_length < MIN_LENGTH or not MIN_CLASSES <= self.min_classes <= 4:
            raise PolicyTooWeak(
                f"au moins {MIN_LENGTH} caractères et {MIN_CLASSES} types de caractères sur 4")
        if self.min_length > MAX_LENGTH:
            raise PolicyTooLong(f"au plus {MAX_LENGTH} caractères")


def character_classes(password: str) -> int:
    """How many of upper, lower, digit and special characters the password holds."""
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def meets_policy(password: str, policy: PasswordPolicy) -> bool:
    return (len(password) >= policy.min_length
            and character_classes(password) >= policy.min_classes
            and all(c in string.printable and not c.isspace() for c in password))


def require_strong(password: str, policy: PasswordPolicy) -> None:
    """A password someone chose (Mon compte, an operator's): a French UserError, « rien n'a
    changé », when it does not meet the policy."""
    if not meets_policy(password, policy):
        raise UserError("Le nouveau mot de passe est trop faible : rien n'a changé.",
                        hint=f"Au moins {policy.min_length} caractères, avec "
                             f"{policy.min_classes} sortes parmi majuscules, minuscules, "
                             "chiffres et caractères spéciaux.")


class _Draws:
    """Uniform numbers below n (n <= 256) from bytes of the system's CSPRNG, read `size` at a
    time: one system call per password (64), or per few hundred of them (`new_passwords`),
    instead of one per character (a rollover makes tens of thousands). Rejection sampling keeps
    every value equally likely; no byte is used twice."""

    def __init__(self, size: int = 64) -> None:
        self._bytes, self._at, self._size = b"", 0, size

    def below(self, n: int) -> int:
        limit = 256 - 256 % n
        while True:
            if self._at == len(self._bytes):
                self._bytes, self._at = secrets.token_bytes(self._size), 0
            byte = self._bytes[self._at]
            self._at += 1
            if byte < limit:
                return byte % n

    def characters(self, alphabet: str, count: int) -> list[str]:
        """`count` characters of `alphabet`, each drawn as `below(len(alphabet))` would, the
        bytes taken a slice at a time (the same draws, a few times cheaper)."""
        n = len(alphabet)
        limit, chosen = 256 - 256 % n, list[str]()
        while len(chosen) < count:
            if self._at == len(self._bytes):
                self._bytes, self._at = secrets.token_bytes(self._size), 0
            end = min(len(self._bytes), self._at + count - len(chosen))
            chosen += [alphabet[byte % n] for byte in self._bytes[self._at:end] if byte < limit]
            self._at = end
        return chosen

    def shuffle(self, items: list[str]) -> None:
        """Fisher-Yates in place, each index drawn by `below`."""
        for index in range(len(items) - 1, 0, -1):
            other = self.below(index + 1)
            items[index], items[other] = items[other], items[index]


def generate_password(policy: PasswordPolicy, draws: _Draws | None = None) -> str:
    """A letter or digit first, then one character of each class and the rest from the whole
    alphabet, in a random order."""
    draws = draws or _Draws()
    chosen = [alphabet[draws.below(len(alphabet))]
              for alphabet in (UPPER, LOWER, DIGITS, SPECIAL)]
    chosen += draws.characters(_PRINTABLE_ALPHABET, policy.min_length - 5)
    draws.shuffle(chosen)
    return _FIRST_ALPHABET[draws.below(len(_FIRST_ALPHABET))] + "".join(chosen)


def _syllables(policy: PasswordPolicy) -> int:
    """Syllables of the two words (an even number) for the length the policy asks."""
    letters = max(policy.min_length - 1 - _DIGITS_IN_READABLE, 0)  # minus symbol and digits
    return max(6, 2 * math.ceil(letters / 4))


def generate_readable_password(policy: PasswordPolicy, draws: _Draws | None = None) -> str:
    """« Tabeko-rimusa47 »: two words of syllables, the first capitalised, an easy symbol
    between them, two digits at the end; at least the policy's length, all four classes."""
    draws = draws or _Draws()
    count = _syllables(policy)
    syllables = [consonant + vowel for consonant, vowel in zip(
        draws.characters(CONSONANTS, count), draws.characters(VOWELS, count), strict=True)]
    first, second = "".join(syllables[:count // 2]), "".join(syllables[count // 2:])
    digits = "".join(draws.characters(DIGITS, _DIGITS_IN_READABLE))
    return (first.capitalize() + EASY_SPECIAL[draws.below(len(EASY_SPECIAL))] + second
            + digits)


def readable_entropy_bits(policy: PasswordPolicy) -> float:
    """The strength of generate_readable_password for this policy, in bits: every syllable,
    the symbol and the digits drawn uniformly and independently."""
    choices = ((len(CONSONANTS) * len(VOWELS)) ** _syllables(policy) * len(EASY_SPECIAL)
               * len(DIGITS) ** _DIGITS_IN_READABLE)
    return math.log2(choices)


def random_entropy_bits(policy: PasswordPolicy) -> float:
    """A lower bound of generate_password's strength, in bits: the first character, one of
    each class and the rest drawn uniformly, the shuffle not counted (an attacker who knew where
    each class went would still face this many)."""
    choices = (len(_FIRST_ALPHABET) * len(UPPER) * len(LOWER) * len(DIGITS) * len(SPECIAL)
               * len(_PRINTABLE_ALPHABET) ** (policy.min_length - 5))
    return math.log2(choices)


def new_password(profile: str, policy: PasswordPolicy, draws: _Draws | None = None) -> str:
    """The initial (or reset) password of an account: readable for élèves, random for staff
    and responsables."""
    if profile == "eleve":
        return generate_readable_password(policy, draws)
    return generate_password(policy, draws)


def new_passwords(profiles: Mapping[str, str], policy: PasswordPolicy) -> dict[str, str]:
    """`new_password` for each key of `profiles` (key -> profile), the system's random bytes
    read a few kilobytes at a time for all of them (a first rollover makes thousands)."""
    draws = _Draws(size=4096)
    return {key: new_password(profile, policy, draws) for key, profile in profiles.items()}
