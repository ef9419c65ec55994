"""Holds put by hand, in the pure plan: running through their last day, then gone."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from bascule.domain.school import SchoolYear
from bascule.plan.compute import compute_plan
from bascule.plan.lifecycle import deletion_plan
from bascule.plan.model import Account, AccountStatus, ActionKind, PersonHold
from tests.plan.test_compute import NOW, _deleted, _snapshot, _state

HOLD = PersonHold(key="eleve:1", label="MARTIN Léa", reason="départ en janvier",
                  until=date(2026, 9, 30), by="cli:op")


def _active(status: AccountStatus = AccountStatus.ACTIVE):  # type: ignore[no-untyped-def]
    person = _deleted("eleve:1", "1", "lmartin")
    assert person.account is not None
    return dataclasses.replace(person, account=Account(
        logins=person.account.logins, status=status, status_since=NOW - timedelta(days=60)))


def test_a_hold_runs_through_its_last_day_only() -> None:
    assert HOLD.active_on(date(2026, 9, 30)) and not HOLD.active_on(date(2026, 10, 1))


def test_a_held_leaver_is_not_disabled_until_the_hold_ends() -> None:
    state = dataclasses.replace(_state((_active(),), {}), person_holds=(HOLD,))
    plan = compute_plan(_snapshot(), state, now=NOW)
    assert plan.actions == ()
    (held,) = plan.held
    assert (held.key, held.until, held.known) == ("eleve:1", date(2026, 9, 30), True)
    assert "départ en janvier" in held.reason and "30/09/2026" in held.reason
    later = compute_plan(_snapshot(), state, now=NOW + timedelta(days=30))
    assert [a.kind for a in later.actions] == [ActionKind.DISABLE] and later.held == ()


def test_a_held_disabled_account_is_not_deleted_in_september() -> None:
    state = dataclasses.replace(_state((_active(AccountStatus.DISABLED),), {}),
                                person_holds=(HOLD,))
    plan = deletion_plan(state, school_year=SchoolYear(2026), deletion_date=NOW, now=NOW,
                         guardians=_nobody)
    assert plan.actions == () and [h.key for h in plan.held] == ["eleve:1"]


def _nobody(_keys: frozenset[str]) -> frozenset[str]:
    """No held élève has a responsable here."""
    return frozenset()
