"""The password policy: never below the EduConnect rule, and every generated password meets it."""

from __future__ import annotations

import itertools
import math
import random
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bascule.domain.passwords import (
    CONSONANTS,
    EASY_SPECIAL,
    FORMULA_STARTS,
    MAX_LENGTH,
    VOWELS,
    PasswordPolicy,
    PolicyTooLong,
    PolicyTooWeak,
    _below,
    _characters,
    _placed,
    character_classes,
    generate_password,
    generate_readable_password,
    meets_policy,
    new_password,
    new_passwords,
    random_entropy_bits,
    readable_entropy_bits,
)

LOOK_ALIKE = set("Il1O0 \"'`")


@settings(max_examples=300)
@given(length=st.integers(min_value=12, max_value=40),
       classes=st.integers(min_value=3, max_value=4))
def test_every_generated_password_meets_its_policy(length: int, classes: int) -> None:
    policy = PasswordPolicy(min_length=length, min_classes=classes)
    password = generate_password(policy)
    assert len(password) == length
    assert character_classes(password) == 4
    assert meets_policy(password, policy)
    assert not set(password) & (LOOK_ALIKE | {"o"})  # nothing that looks alike once printed
    assert password[0] not in FORMULA_STARTS  # a spreadsheet would take it for a formula


@settings(max_examples=300)
@given(length=st.integers(min_value=12, max_value=40),
       classes=st.integers(min_value=3, max_value=4))
def test_every_readable_password_meets_its_policy(length: int, classes: int) -> None:
    policy = PasswordPolicy(min_length=length, min_classes=classes)
    password = generate_readable_password(policy)
    assert len(password) >= length and character_classes(password) == 4
    assert meets_policy(password, policy)
    assert not set(password) & LOOK_ALIKE
    assert password[0] not in FORMULA_STARTS and password[0].isupper()
    words, digits = password[:-2], password[-2:]
    assert digits.isdigit()
    (symbol,) = [c for c in words if not c.isalpha()]
    first, second = words.split(symbol)
    assert symbol in EASY_SPECIAL and len(first) == len(second)
    for word in (first.lower(), second):  # consonant-vowel syllables, easy to say
        assert all(word[i] in CONSONANTS and word[i + 1] in VOWELS
                   for i in range(0, len(word), 2))


def test_eleves_get_readable_passwords_and_staff_random_ones() -> None:
    policy = PasswordPolicy()
    assert new_password("eleve", policy)[-2:].isdigit()
    assert all(len(new_password(profile, policy)) == 12
               for profile in ("enseignant", "direction", "responsable"))


def test_no_password_of_thousands_starts_like_a_formula() -> None:
    """Issue 16: 108 of 1,641 initial passwords started with = + - or @."""
    policy = PasswordPolicy()
    firsts = {new_password(profile, policy)[0]
              for profile in ("eleve", "enseignant") for _ in range(3000)}
    assert not firsts & FORMULA_STARTS


def test_the_readable_passwords_strength_is_the_documented_one() -> None:
    # 6 syllables of 16 consonants x 5 vowels, 1 of 4 symbols, 2 of 8 digits: the README's.
    assert round(readable_entropy_bits(PasswordPolicy()), 1) == 45.9
    assert readable_entropy_bits(PasswordPolicy(min_length=20)) > 70
    assert round(random_entropy_bits(PasswordPolicy()), 1) == 63.9  # the README's figure
    assert random_entropy_bits(PasswordPolicy(min_length=13)) > 69.9
    readable = {generate_readable_password(PasswordPolicy()) for _ in range(2000)}
    assert len(readable) == 2000


def test_passwords_differ() -> None:
    policy = PasswordPolicy()
    assert len({generate_password(policy) for _ in range(200)}) == 200


@pytest.mark.parametrize(("password", "ok"), [
    ("Abcdefghijk1", True),       # 12 characters, 3 classes
    ("abcdefghij1!", True),       # 3 classes without upper case
    ("Abcdefghijk", False),       # 11 characters
    ("abcdefghijkl", False),      # 1 class
    ("ABCDEFGHIJ12", False),      # 2 classes
])
def test_the_educonnect_rule(password: str, ok: bool) -> None:
    assert meets_policy(password, PasswordPolicy()) is ok


@pytest.mark.parametrize(("length", "classes"), [(11, 3), (12, 2), (12, 5)])
def test_a_policy_below_the_floor_is_refused(length: int, classes: int) -> None:
    with pytest.raises(PolicyTooWeak):
        PasswordPolicy(min_length=length, min_classes=classes)


def test_a_length_past_what_draws_and_slips_allow_is_refused() -> None:
    """Past 256, the shuffle's draws below n would never end; past 64, slips have no room."""
    assert len(generate_password(PasswordPolicy(min_length=MAX_LENGTH))) >= MAX_LENGTH
    with pytest.raises(PolicyTooLong):
        PasswordPolicy(min_length=MAX_LENGTH + 1)


@given(n=st.integers(min_value=1, max_value=256))
def test_the_random_draws_stay_below_their_bound(n: int) -> None:
    drawn = _below(n, 300)
    assert len(drawn) == 300 and all(0 <= value < n for value in drawn)


def test_the_random_draws_are_not_biased() -> None:
    """A bound that does not divide 256 (67, the alphabet) would favour the low values if
    bytes were simply taken modulo it: each value comes about equally often."""
    counts = [0] * 67
    for value in _below(67, 67 * 3000):
        counts[value] += 1
    assert max(counts) / min(counts) < 1.25
    low, high = sum(counts[:55]) / 55, sum(counts[55:]) / 12  # 256 % 67 == 55
    assert abs(low - high) / high < 0.05


@given(size=st.sampled_from([2, 3, 5, 16, 67, 256]),
       count=st.integers(min_value=0, max_value=600),
       seed=st.integers(min_value=0, max_value=2**32))
def test_characters_are_the_system_bytes_by_rejection_sampling(size: int, count: int,
                                                               seed: int) -> None:
    """Each character is the next byte of the system's stream that is below the largest
    multiple of the alphabet's size, taken modulo it: uniform, no byte used twice (the
    system's bytes replaced by a seeded stream, kept to compare)."""
    alphabet = "".join(chr(33 + i % 94) for i in range(size))
    stream, given = random.Random(seed), bytearray()

    def urandom(n: int) -> bytes:
        given.extend(data := stream.randbytes(n))
        return data

    with patch("bascule.domain.passwords.os.urandom", urandom):
        drawn = _characters(alphabet, count)
    limit = 256 - 256 % size
    assert drawn == "".join(alphabet[byte % size] for byte in given if byte < limit)[:count]


@pytest.mark.parametrize("others", [0, 1, 3, 5])
def test_the_four_classes_land_at_every_arrangement_once(others: int) -> None:
    """Each place drawn below len + 1, len + 2, …: every choice of places gives another
    arrangement, and every arrangement comes from one choice (as likely as a shuffle's)."""
    arrangements = {
        _placed("." * others, "ABCD", places)
        for places in itertools.product(*(range(others + 1 + k) for k in range(4)))}
    assert len(arrangements) == math.perm(others + 4, 4)
    assert all(sorted(each) == sorted("ABCD" + "." * others) for each in arrangements)


def test_passwords_made_together_are_each_a_new_password() -> None:
    """Drawn from one stream of bytes, each password still meets the policy, and none
    repeats."""
    policy = PasswordPolicy()
    profiles = {f"eleve:{n}": "eleve" if n % 2 else "responsable" for n in range(400)}
    made = new_passwords(profiles, policy)
    assert set(made) == set(profiles) and len(set(made.values())) == len(made)
    assert all(meets_policy(password, policy) for password in made.values())
    assert all(("-" in password or "!" in password or "*" in password or "?" in password)
               for key, password in made.items() if profiles[key] == "eleve")
