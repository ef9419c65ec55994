"""Initial passwords: generated with `secrets`, checked against the policy.

The floor is the EduConnect rule of the memo: 12 characters at least, with 3 of the 4 classes
(upper, lower, digit, special). A configured policy may ask more, never less. The generator
gives all four classes and avoids characters that look alike once printed (I l 1 O 0 …).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

MIN_LENGTH = 12
MIN_CLASSES = 3
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LOWER = "abcdefghijkmnpqrstuvwxyz"
DIGITS = "23456789"
SPECIAL = "!#$%&*+-=?@"
_PRINTABLE_ALPHABET = UPPER + LOWER + DIGITS + SPECIAL


class PolicyTooWeak(ValueError):
    """A configured policy below the EduConnect floor."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordPolicy:
    min_length: int = MIN_LENGTH
    min_classes: int = MIN_CLASSES

    def __post_init__(self) -> None:
        if self.min_length < MIN_LENGTH or not MIN_CLASSES <= self.min_classes <= 4:
            raise PolicyTooWeak(
                f"au moins {MIN_LENGTH} caractères et {MIN_CLASSES} types de caractères sur 4")


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


class _Draws:
    """Uniform numbers below n (n <= 256) from bytes of the system's CSPRNG, read 64 at a time:
    one system call per password instead of one per character (a rollover makes tens of
    thousands). Rejection sampling keeps every value equally likely."""

    def __init__(self) -> None:
        self._bytes, self._at = b"", 0

    def below(self, n: int) -> int:
        limit = 256 - 256 % n
        while True:
            if self._at == len(self._bytes):
                self._bytes, self._at = secrets.token_bytes(64), 0
            byte = self._bytes[self._at]
            self._at += 1
            if byte < limit:
                return byte % n


def generate_password(policy: PasswordPolicy) -> str:
    """One character of each class, the rest from the whole alphabet, in a random order."""
    draws = _Draws()
    chosen = [alphabet[draws.below(len(alphabet))]
              for alphabet in (UPPER, LOWER, DIGITS, SPECIAL)]
    chosen += [_PRINTABLE_ALPHABET[draws.below(len(_PRINTABLE_ALPHABET))]
               for _ in range(policy.min_length - 4)]
    for index in range(len(chosen) - 1, 0, -1):  # Fisher-Yates with a CSPRNG
        other = draws.below(index + 1)
        chosen[index], chosen[other] = chosen[other], chosen[index]
    return "".join(chosen)
