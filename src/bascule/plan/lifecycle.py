"""The September deletions: accounts disabled before the deletion date are deleted; never earlier.

Deleted means: the account can never be used again, its password hash is dropped and its logins
are freed (quarantined for anyone else). The person's record stays, so that someone coming back
is recognised and gets their login back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bascule.domain.school import SchoolYear, local_time
from bascule.plan.held import held_by_hand
from bascule.plan.model import (
    AccountStatus,
    Action,
    ActionKind,
    FieldChange,
    Plan,
    PlanPurpose,
    StoreState,
)


def deletion_plan(state: StoreState, *, school_year: SchoolYear,
                  deletion_date: datetime | None, now: datetime,
                  guardians: Callable[[frozenset[str]], frozenset[str]]) -> Plan:
    """Delete what was disabled before `deletion_date`; nothing at all when there is none yet.
    A person held by hand keeps their account until their hold ends, and so do the
    responsables of a held élève (`guardians`: the responsables of these élèves' keys, in any
    year: store/holds.py), as the campaign's plan keeps them."""
    held = held_by_hand(state.person_holds, local_time(now).date(), state.keys())
    kept = {one.key for one in held}
    kept |= guardians(frozenset(kept))
    actions = () if deletion_date is None or now < deletion_date else tuple(
        Action(kind=ActionKind.DELETE, person=person.key, profile=person.identity.profile,
               label=f"{person.identity.last_name} {person.identity.first_name}",
               person_kind=person.kind, division=state.divisions.get(person.key),
               logins=person.account.logins,
               changes=(FieldChange("status", AccountStatus.DISABLED.value,
                                    AccountStatus.DELETED.value),))
        for person in sorted(state.people, key=lambda p: p.key)
        if person.account is not None and person.account.status is AccountStatus.DISABLED
        and person.account.status_since < deletion_date and person.key not in kept
    )
    return Plan(uai=state.uai, school_year=school_year, computed_at=now,
                state_fingerprint=state.fingerprint, actions=actions, held=tuple(held),
                purpose=PlanPurpose.LIFECYCLE)
