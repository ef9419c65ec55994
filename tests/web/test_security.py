"""The sign-in throttle, on a clock the test moves: growing delays per (login, address) and per
address, never per login alone (issue 16: five wrong passwords locked the principal out for
five minutes, whoever typed them)."""

from __future__ import annotations

from bascule.web.security import (
    FIRST_DELAY,
    FREE_FAILURES,
    FREE_FAILURES_PER_ADDRESS,
    LONGEST_DELAY,
    SignInThrottle,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_delays_grow_after_the_free_failures_and_end() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("idasilva", "10.0.0.9")
    assert throttle.wait("idasilva", "10.0.0.9") == 0
    waits = []
    for _ in range(4):
        throttle.failed("idasilva", "10.0.0.9")
        waits.append(throttle.wait("idasilva", "10.0.0.9"))
    assert waits == [FIRST_DELAY, 2 * FIRST_DELAY, 4 * FIRST_DELAY, 8 * FIRST_DELAY]
    clock.now += waits[-1]
    assert throttle.wait("idasilva", "10.0.0.9") == 0
    for _ in range(40):
        throttle.failed("idasilva", "10.0.0.9")
    assert throttle.wait("idasilva", "10.0.0.9") == LONGEST_DELAY


def test_an_attacker_elsewhere_locks_nobody_out() -> None:
    throttle = SignInThrottle(Clock())
    for _ in range(FREE_FAILURES + 10):
        throttle.failed("idasilva", "203.0.113.7")
    assert throttle.wait("idasilva", "203.0.113.7") > 0
    assert throttle.wait("idasilva", "10.0.0.9") == 0  # the principal, at school


def test_a_success_forgives_only_its_own_address() -> None:
    throttle = SignInThrottle(Clock())
    for _ in range(FREE_FAILURES + 1):
        throttle.failed("idasilva", "203.0.113.7")
        throttle.failed("idasilva", "10.0.0.9")
    throttle.succeeded("idasilva", "10.0.0.9")
    assert throttle.wait("idasilva", "10.0.0.9") == 0
    assert throttle.wait("idasilva", "203.0.113.7") > 0


def test_one_address_trying_many_logins_is_slowed_down() -> None:
    throttle = SignInThrottle(Clock())
    for number in range(FREE_FAILURES_PER_ADDRESS):
        throttle.failed(f"login{number}", "203.0.113.7")
    assert throttle.wait("nouveau", "203.0.113.7") == FIRST_DELAY
    assert throttle.wait("nouveau", "10.0.0.9") == 0
