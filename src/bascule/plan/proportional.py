"""Work proportional to the change (issue 22): what a plan can take as settled from the plan
applied before it. Pure.

After an apply, the directory holds exactly what the applied plan wanted for each person it
matched or created: planning the same campaign again matches each of them to the same account
and does nothing for them. So a person of the next campaign whose desired record (ids, names,
dates, division, children, services: `person_digest`) is the one that plan had, on a directory
nothing wrote since that apply and under the same rules (`plan_context`), is the same account
again with no action, without weighing their candidates. Matching still weighs everyone whose
record changed, and anyone their candidates could take an account from (plan/matching.py
reopens them); everything else of the plan (holds, disables, facts, the breaker) is computed on
everyone, as on the full path. `tests/plan/test_proportional_equal.py` checks on generated
campaigns and random changes that the two plans are equal.

When anything that the rules read changed (the rules' version below, the reserved logins'
table, the school year, the schemes the campaign speaks for, the decisions of review cases, the
holds put by hand, the plan's options), the basis is not used: the full path, never a guess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bascule.domain.reserved import TABLE_VERSION as RESERVED_TABLE_VERSION
from bascule.plan.desired import DesiredPerson
from bascule.plan.model import Account, AccountStatus, KnownPerson, PersonHold, Resolution

# Bump with any change to how a plan matches people or decides their actions (plan/matching.py,
# plan/identity_rules.py, plan/evidence.py, plan/compute.py): a basis of older rules is ignored.
RULES_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Basis:
    """What a plan settled: for each campaign ref it matched or created, the digest of the
    person it wanted (`person_digest`) and their directory key; `context` is `plan_context`
    of that plan. Kept with the plan, used once the plan is applied (store/basis.py)."""

    context: str
    people: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (digest, key)


def person_digest(person: DesiredPerson) -> str:
    """A short stable digest (hex, 16 characters) of everything the plan reads of a person of
    the campaign; sets sorted, so that it does not depend on the process's hashing."""
    identity = person.identity
    text = repr((
        person.ref, person.kind.value, sorted((s.scheme, s.value) for s in person.source_ids),
        identity.last_name, identity.birth_name, identity.first_name, identity.birth_date,
        identity.email, identity.function, identity.profile, identity.exit_date,
        person.division, sorted(person.children), person.foreign_elenoet,
        sorted(person.services)))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextParts:
    """What, beyond each person's record, the rules read: any change forces the full path."""

    school_year: int
    schemes: frozenset[str]
    resolutions: Mapping[str, Resolution]
    person_holds: Iterable[PersonHold]
    options: str  # the plan's options and the logins' quarantine, as text


def plan_context(parts: ContextParts) -> str:
    text = repr((
        RULES_VERSION, RESERVED_TABLE_VERSION, parts.school_year, sorted(parts.schemes),
        sorted((ref, r.choice.value, r.candidates) for ref, r in parts.resolutions.items()),
        sorted((h.key, h.until, h.origin.value) for h in parts.person_holds),
        parts.options))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def unchanged_keys(basis: Basis, digests: Mapping[str, str]) -> dict[str, str]:
    """Campaign ref -> the directory key the basis gave them, for each person whose record
    (`digests`: ref -> `person_digest`) is the one it had: changed and new records are not."""
    get = basis.people.get
    return {ref: entry[1] for ref, digest in digests.items()
            if (entry := get(ref)) is not None and entry[0] == digest}


def settled_people(desired: Iterable[DesiredPerson], digests: Mapping[str, str],
                   basis: Basis | None, context: str, people: Iterable[KnownPerson],
                   unreached: Mapping[str, str | None] | None = None) -> dict[str, KnownPerson]:
    """Campaign ref -> the known person (of this school, with an active account) the basis
    settled them on, for each person whose record (`digests`: ref -> `person_digest`) is the
    one the basis had; empty without a basis of this very context. A person not loaded in
    full (`unreached`: key -> the profile of an active account, or None) is given as their key
    and status only: the plan reads nothing else of a settled person."""
    if basis is None or basis.context != context or not basis.people:
        return {}
    by_key = {person.key: person for person in people if person.school is None}
    unreached = unreached or {}
    unchanged = unchanged_keys(basis, digests)
    settled = {}
    for person in desired:
        key = unchanged.get(person.ref)
        if key is None:
            continue
        known = by_key.get(key)
        if known is None and unreached.get(key) is not None:
            known = _settled_as_is(person, key)
        if known is not None and known.account is not None \
                and known.account.status is AccountStatus.ACTIVE:
            settled[person.ref] = known
    return settled


def _settled_as_is(person: DesiredPerson, key: str) -> KnownPerson:
    """An unreached person settled by an unchanged record: their record is the one the
    directory holds since the basis's apply."""
    return KnownPerson(key=key, kind=person.kind, source_ids=person.source_ids,
                       identity=person.identity, account=_ACTIVE)


# Logins and date not read: settled accounts take no action.
_ACTIVE = Account(logins=(), status=AccountStatus.ACTIVE,
                  status_since=datetime.min.replace(tzinfo=UTC))
