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
import os
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bascule.errors import UserError

MIN_LENGTH = 12
# Beyond it a slip has no room, and the places of the four classes could not be drawn (< 256).
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


def _draw_table(values: bytes) -> tuple[bytes, bytes]:
    """For `_drawn`: each byte's value (`values[byte % n]`) and the bytes rejected, those at
    or past the largest multiple of n (n = len(values) <= 256)."""
    n = len(values)
    return bytes(values[byte % n] for byte in range(256)), bytes(range(256 - 256 % n, 256))


_TABLES: dict[bytes, tuple[bytes, bytes]] = {}


def _drawn(values: bytes, count: int) -> bytes:
    """`count` values each drawn uniformly from `values` (at most 256 of them): bytes of the
    system's CSPRNG, the rejected ones dropped (rejection sampling: every kept byte stands for
    one value, and each value for as many kept bytes), the others mapped to their value, all by
    `bytes.translate` in C, a few kilobytes read at once (a first rollover draws hundreds of
    thousands); no byte used twice."""
    table, rejected = _TABLES.get(values) or _TABLES.setdefault(values, _draw_table(values))
    drawn = b""
    while len(drawn) < count:
        wanted = count - len(drawn)
        # os.urandom: what secrets.token_bytes calls, without secrets' hmac and hashlib
        # at every command's start-up (5 ms).
        drawn += os.urandom(wanted + wanted // 8 + 8).translate(table, rejected)
    return drawn[:count]


def _characters(alphabet: str, count: int) -> str:
    """`count` characters of the (ASCII) alphabet, each drawn uniformly."""
    return _drawn(alphabet.encode("ascii"), count).decode("ascii")


def _below(n: int, count: int) -> bytes:
    """`count` numbers drawn uniformly below n (n <= 256)."""
    return _drawn(bytes(range(n)), count)


def _random_passwords(policy: PasswordPolicy, count: int) -> list[str]:
    """`generate_password` `count` times. The characters of the four classes go to random
    places among the others: each inserted at a uniform place among those the password has so
    far (below r + 1, r + 2, r + 3, r + 4 for r other characters), which puts them at every
    arrangement equally likely, as a shuffle of them all would (the other characters are
    independent and alike: their own order changes nothing)."""
    rest = policy.min_length - 5
    first = _characters(_FIRST_ALPHABET, count)
    upper, lower = _characters(UPPER, count), _characters(LOWER, count)
    digit, special = _characters(DIGITS, count), _characters(SPECIAL, count)
    at_upper, at_lower = _below(rest + 1, count), _below(rest + 2, count)
    at_digit, at_special = _below(rest + 3, count), _below(rest + 4, count)
    others = _characters(_PRINTABLE_ALPHABET, rest * count)
    places = list(zip(at_upper, at_lower, at_digit, at_special, strict=True))
    classes = list(zip(upper, lower, digit, special, strict=True))
    return [first[index] + _placed(others[index * rest:(index + 1) * rest], classes[index],
                                   places[index]) for index in range(count)]


def _placed(others: str, inserted: Sequence[str], places: Sequence[int]) -> str:
    """`others` with each character of `inserted` put in turn at its place among the
    characters so far (a place below len(others) + 1, then + 2, …)."""
    chosen = list(others)
    for character, place in zip(inserted, places, strict=True):
        chosen.insert(place, character)
    return "".join(chosen)


def generate_password(policy: PasswordPolicy) -> str:
    """A letter or digit first, then one character of each class and the rest from the whole
    alphabet, in a random order."""
    return _random_passwords(policy, 1)[0]


def _syllables(policy: PasswordPolicy) -> int:
    """Syllables of the two words (an even number) for the length the policy asks."""
    letters = max(policy.min_length - 1 - _DIGITS_IN_READABLE, 0)  # minus symbol and digits
    return max(6, 2 * math.ceil(letters / 4))


def _readable_passwords(policy: PasswordPolicy, count: int) -> list[str]:
    """`generate_readable_password` `count` times: the syllables' consonants and vowels drawn
    for all of them at once and interleaved in C."""
    syllables = _syllables(policy)
    word = syllables  # letters of each word: half the syllables, two letters each
    letters = bytearray(2 * syllables * count)
    letters[0::2] = _drawn(CONSONANTS.encode("ascii"), syllables * count)
    letters[1::2] = _drawn(VOWELS.encode("ascii"), syllables * count)
    text = letters.decode("ascii")
    symbols = _characters(EASY_SPECIAL, count)
    digits = _characters(DIGITS, _DIGITS_IN_READABLE * count)
    return [text[start:start + word].capitalize() + symbols[index]
            + text[start + word:start + 2 * word]
            + digits[index * _DIGITS_IN_READABLE:(index + 1) * _DIGITS_IN_READABLE]
            for index, start in enumerate(range(0, len(text), 2 * word))]


def generate_readable_password(policy: PasswordPolicy) -> str:
    """« Tabeko-rimusa47 »: two words of syllables, the first capitalised, an easy symbol
    between them, two digits at the end; at least the policy's length, all four classes."""
    return _readable_passwords(policy, 1)[0]


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


def new_password(profile: str, policy: PasswordPolicy) -> str:
    """The initial (or reset) password of an account: readable for élèves, random for staff
    and responsables."""
    if profile == "eleve":
        return generate_readable_password(policy)
    return generate_password(policy)


def new_passwords(profiles: Mapping[str, str], policy: PasswordPolicy) -> dict[str, str]:
    """`new_password` for each key of `profiles` (key -> profile), drawn together for all of
    them (a first rollover makes thousands)."""
    eleves = [key for key, profile in profiles.items() if profile == "eleve"]
    others = [key for key, profile in profiles.items() if profile != "eleve"]
    return {**dict(zip(eleves, _readable_passwords(policy, len(eleves)), strict=True)),
            **dict(zip(others, _random_passwords(policy, len(others)), strict=True))}
