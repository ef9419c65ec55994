"""The read-once slots behind POST → redirect → GET: taken once, by their owner only, and
dropped when not fetched in time."""

from __future__ import annotations

from bascule.web.slots import Slots
from tests.web.test_security import Clock


def test_a_slot_is_read_once_by_its_owner() -> None:
    slots = Slots(Clock())
    number = slots.put("0860999U:cdurand", "mot de passe")
    assert slots.take("0860999U:jlegoff", number) is None  # someone else's
    assert slots.peek("0860999U:cdurand", number) == "mot de passe"
    assert slots.take("0860999U:cdurand", number) == "mot de passe"
    assert slots.take("0860999U:cdurand", number) is None  # the reload
    assert slots.put("a", 1) != slots.put("a", 1)


def test_a_slot_not_fetched_in_time_is_gone() -> None:
    clock = Clock()
    slots = Slots(clock, seconds=600)
    number = slots.put("a", "fiches")
    clock.now += 599
    assert slots.peek("a", number) == "fiches"
    clock.now += 2
    assert slots.take("a", number) is None
