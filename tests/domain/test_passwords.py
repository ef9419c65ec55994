"""The password policy: never below the EduConnect rule, and every generated password meets it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bascule.domain.passwords import (
    PasswordPolicy,
    PolicyTooWeak,
    _Draws,
    character_classes,
    generate_password,
    meets_policy,
)


@settings(max_examples=300)
@given(length=st.integers(min_value=12, max_value=40),
       classes=st.integers(min_value=3, max_value=4))
def test_every_generated_password_meets_its_policy(length: int, classes: int) -> None:
    policy = PasswordPolicy(min_length=length, min_classes=classes)
    password = generate_password(policy)
    assert len(password) == length
    assert character_classes(password) == 4
    assert meets_policy(password, policy)
    assert not set(password) & set("Il1O0o \"'`")  # nothing that looks alike once printed


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


@given(n=st.integers(min_value=1, max_value=256))
def test_the_random_draws_stay_below_their_bound(n: int) -> None:
    draws = _Draws()
    assert all(0 <= draws.below(n) < n for _ in range(300))


def test_the_random_draws_are_not_biased() -> None:
    """A bound that does not divide 256 (67, the alphabet) would favour the low values if
    bytes were simply taken modulo it: each value comes about equally often."""
    draws, counts = _Draws(), [0] * 67
    for _ in range(67 * 3000):
        counts[draws.below(67)] += 1
    assert max(counts) / min(counts) < 1.25
    low, high = sum(counts[:55]) / 55, sum(counts[55:]) / 12  # 256 % 67 == 55
    assert abs(low - high) / high < 0.05
