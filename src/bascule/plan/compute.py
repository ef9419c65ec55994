"""compute_plan: the typed actions that take the directory to a staged campaign. Pure."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bascule.domain.logins import (
    LoginHolding,
    LoginKind,
    LoginRegistry,
    folder_holder,
    is_reserved,
)
from bascule.domain.school import local_time
from bascule.plan.desired import (
    DesiredPerson,
    covered_fact_kinds,
    covered_schemes,
    desired_facts,
    person_facts,
    structure_facts,
)
from bascule.plan.differences import groups_of, with_groups
from bascule.plan.held import Holds, held_by_hand, hold_people
from bascule.plan.matching import MatchContext, Matching, match_people
from bascule.plan.model import (
    SOURCE_ID_ORDER,
    AccountStatus,
    Action,
    ActionKind,
    Fact,
    FactRow,
    FieldChange,
    Held,
    Identity,
    KnownPerson,
    PersonHold,
    PersonKind,
    Plan,
    Resolution,
    SourceId,
    StoreState,
)
from bascule.plan.prepared import Prepared, prepare_people
from bascule.plan.proportional import (
    Basis,
    ContextParts,
    chained_digests,
    facts_settled,
    kept_facts,
    plan_context,
    settle,
    settled_people,
    to_plan,
)
from bascule.plan.safety import mass_leaves
from bascule.plan.thresholds import Thresholds
from bascule.snapshot.memo import Chain
from bascule.snapshot.model import Snapshot

# By the kind's value: a str hashes in C, an Enum member in Python.
_KIND_ORDER = {PersonKind.ELEVE._value_: 0, PersonKind.STAFF._value_: 1,
               PersonKind.RESPONSABLE._value_: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOptions:
    thresholds: Thresholds = field(default_factory=Thresholds)  # plan/safety.py's table
    # A login stays with its person for life; a school may prefer it to follow a new name.
    login_follows_name_change: bool = False


def compute_plan(snapshot: Snapshot, state: StoreState, *, now: datetime,
                 options: PlanOptions = PlanOptions(), basis: Basis | None = None) -> Plan:
    """The plan; with the `basis` of the plan applied last (plan/proportional.py), the
    people whose record did not change are taken as settled: the same plan, less work."""
    return plan_and_basis(snapshot, state, now=now, options=options, basis=basis)[0]


def prepare(snapshot: Snapshot, now: datetime, *, chain: Chain | None = None,
            basis: Basis | None = None, context: str | None = None) -> Prepared:
    """The campaign's people as the plan wants them on `now`'s day, and their digests; with
    the staged campaign's `chain` (snapshot/memo.py) and the `basis` of the plan applied
    last, under this plan's `context`, the digests the chain gives are taken from the basis,
    not computed again (plan/proportional.py `chained_digests`)."""
    known = (partial(chained_digests, snapshot, chain, basis, context)
             if chain is not None and basis is not None and context is not None else None)
    return prepare_people(snapshot, local_time(now).date(), known)


def plan_and_basis(snapshot: Snapshot, state: StoreState, *, now: datetime,
                   options: PlanOptions = PlanOptions(), basis: Basis | None = None,
                   prepared: Prepared | None = None, chain: Chain | None = None,
                   staged: str | None = None) -> tuple[Plan, Basis]:
    """The plan, and the basis to keep with it for the next one; `prepared`: `prepare` of
    this snapshot and day, when the caller has it already (else made here, with `chain`, the
    staged campaign's). With a basis, the settled people (plan/proportional.py) are never
    built as desired people: only the weighed are. `staged`: the content hash of the staged
    campaign `snapshot` is, kept in the basis for the next plan's digests to chain to."""
    today = local_time(now).date()
    context = _context(snapshot, state, options)
    prepared = prepared or prepare(snapshot, now, chain=chain, basis=basis, context=context)
    holds = hold_people(snapshot, state.people, prepared.refs)
    frozen = bool(holds.keys)  # accounts a held export record froze: no one's to take
    by_hand = held_by_hand(state.person_holds, today, state.keys())
    set_aside = holds.refs | {held.key for held in by_hand}
    refs = [ref for ref in prepared.refs if ref not in set_aside]
    if state.unreached and (basis is None or basis.context != context
                            or state.latest_year != snapshot.school_year.start
                            or not prepared.distinct):
        raise ValueError("a directory loaded in part needs the basis it was loaded for")
    # The accounts a held export record froze are no one's to take, settled or weighed.
    free = [p for p in state.people if p.key not in holds.keys]
    match_context = MatchContext(children=state.children, services=state.services,
                                 elsewhere=state.elsewhere, resolutions=state.resolutions,
                                 today=today)
    settled = settle(prepared, refs, settled_people(
        prepared, basis, context, free, state.unreached,
        frozen=holds.keys | {held.key for held in by_hand}), free, match_context) if (
        state.latest_year == snapshot.school_year.start) else {}
    desired = (prepared.people(ref for ref in refs if ref not in settled) if prepared.distinct
               else [p for p in prepared.desired if p.ref not in set_aside])
    matching = match_people(desired, free, context=match_context, settled=settled)
    desired = _without_held_by_hand(desired, matching, by_hand, holds)
    keys = _keys(desired, matching.known, state, matching.ambiguous)
    keys.update(settled)  # keys of the school's people: taken already, none made anew
    registries = _Registries(state.registries, now)
    actions: list[Action] = []
    for person, known in sorted(to_plan(desired, matching, prepared, basis, free),
                                key=lambda pair: _creation_order(pair[0])):
        actions += _person_actions(person, keys[person.ref], known, state, registries, options)
    for held in _held(desired, matching, state):
        holds.add(held)
    kept = matching.known_keys() | holds.keys | _guardians_of(holds.keys, state)
    actions += _disables(state, kept, covered_schemes(snapshot))
    # The facts of the settled people whose digest is the basis's are the directory's already
    # (plan/proportional.py `facts_settled`): only the others' are desired and compared.
    unchanged = facts_settled(prepared, basis, settled)
    facts = prepared_facts(snapshot, prepared, keys, unchanged)
    current = state.facts if not unchanged else frozenset(
        row for row in state.facts if row[1] not in unchanged)
    if missing := state.facts_left_out - unchanged:  # never seen: the store left out fewer
        assert state.more_facts is not None, "facts left out with no way to read them"
        current |= state.more_facts(frozenset(missing))
    actions = with_groups(actions, state.groups, groups_of(facts))
    fact_actions, facts_kept = _fact_actions(facts, current, holds, covered_fact_kinds(snapshot))
    actions += fact_actions
    structures = {subject for kind, subject, _target, _detail in facts if kind == "structure"}
    new_year = state.latest_year is not None and snapshot.school_year.start > state.latest_year
    plan = Plan(uai=snapshot.uai, school_year=snapshot.school_year, computed_at=now,
                state_fingerprint=state.fingerprint, actions=tuple(actions),
                problems=tuple(matching.problems), held=tuple(holds.held),
                reviews=tuple(matching.reviews),
                mass_leaves=mass_leaves(tuple(actions), state, new_year=new_year,
                                        thresholds=options.thresholds),
                structures_created=tuple(sorted(structures - state.latest_structures)),
                structures_retired=tuple(sorted(state.latest_structures - structures)))
    if frozen:
        # Once the record is mended, its account is free again and may be a candidate of
        # people a basis would settle on other accounts without weighing them (a record that
        # was given a new account meanwhile: the full path holds it, for two accounts): the
        # next plan takes the full path.
        return plan, Basis(context=context)
    digests = prepared.digests
    chained = staged is not None and prepared.present is not None and prepared.distinct
    return plan, Basis(context=context, people={
        ref: (kept_facts(digests[ref]) if keys[ref] in facts_kept else digests[ref], keys[ref])
        for ref in [*(p.ref for p in desired), *settled]
        if ref in keys and ref not in holds.refs},
        staged=staged if chained else None, present=prepared.present if chained else None)


def prepared_facts(snapshot: Snapshot, prepared: Prepared, keys: dict[str, str],
                   unchanged: set[str]) -> frozenset[FactRow]:
    """`desired_facts`, less those of which a key of `unchanged` is the subject: made from
    each person's inputs (plan/desired.py `person_facts`), the same rows."""
    if not prepared.distinct:  # a ref repeated: each record's facts, as desired_facts has them
        return frozenset(row for row in desired_facts(snapshot, keys)
                         if row[1] not in unchanged)
    facts = structure_facts(snapshot)
    inputs = prepared.inputs
    for ref, key in keys.items():
        if key not in unchanged:
            facts.update(person_facts(inputs[ref], key, keys))
    return frozenset(facts)


def _context(snapshot: Snapshot, state: StoreState, options: PlanOptions) -> str:
    return context_of(snapshot, options, resolutions=state.resolutions,
                      person_holds=state.person_holds,
                      quarantines=[r.quarantine for r in state.registries.values()])


def context_of(snapshot: Snapshot, options: PlanOptions, *,
               resolutions: Mapping[str, Resolution], person_holds: Iterable[PersonHold],
               quarantines: Iterable[timedelta]) -> str:
    """`plan_context` of a plan of this snapshot (`quarantines`: each login registry's)."""
    return plan_context(ContextParts(
        school_year=snapshot.school_year.start, schemes=covered_schemes(snapshot),
        fact_kinds=covered_fact_kinds(snapshot),
        resolutions=resolutions, person_holds=person_holds,
        options=repr((options, sorted(q.total_seconds() for q in quarantines)))))


def _without_held_by_hand(desired: list[DesiredPerson], matching: Matching,
                          by_hand: list[Held], holds: Holds) -> list[DesiredPerson]:
    """A person held by hand is matched like anyone (so that the campaign's record of them
    is recognised, not created anew), then set aside with their account."""
    keys = {held.key for held in by_hand}
    for held in by_hand:
        holds.add(held, held.key)
    if not keys:  # no hold by hand (most plans): everyone stays
        return desired
    return [person for person in desired
            if (known := matching.known.get(person.ref)) is None or known.key not in keys]


def _held(desired: list[DesiredPerson], matching: Matching, state: StoreState) -> list[Held]:
    """People in doubt (review cases, an INE worn twice), then each account they could be and
    no one took, with whom it waits for and what to do."""
    labels = {person.ref: person.label for person in desired if person.ref in matching.ambiguous}
    taken = matching.known_keys()
    known = {p.key: f"{p.identity.last_name} {p.identity.first_name}" for p in state.people
             if p.key in matching.doubtful and p.key not in taken}
    held: list[Held] = []
    waiting_for: dict[str, list[str]] = defaultdict(list)  # account key -> held refs
    for ref in sorted(matching.ambiguous):
        accounts = tuple(sorted(matching.could_be.get(ref, set()) & known.keys()))
        held.append(Held(key=ref, label=labels[ref], reason=matching.reasons[ref], known=False,
                         hint=matching.hints[ref], accounts=accounts,
                         account_elsewhere=matching.enrolled_elsewhere.get(ref)))
        for key in accounts:
            waiting_for[key].append(ref)
    return held + [Held(key=key, label=known[key], hint=matching.hints[refs[0]],
                        reason="compte peut-être celui de " + ", ".join(
                            f"{labels[ref]} ({ref})" for ref in refs)
                        + " dans l'export : laissé tel quel en attendant")
                   for key, refs in sorted(waiting_for.items())]


def _creation_order(person: DesiredPerson) -> tuple[object, ...]:
    """Logins go to new people in an order that depends on who they are, never on the files."""
    identity = person.identity
    return (_KIND_ORDER[person.kind._value_], identity.last_name.casefold(),
            identity.first_name.casefold(), identity.birth_date or datetime.min.date(), person.ref)


def _keys(desired: list[DesiredPerson], known: dict[str, KnownPerson], state: StoreState,
          ambiguous: set[str]) -> dict[str, str]:
    """The directory key of each person: the known one, or a new one derived from the ref."""
    taken = state.keys()
    keys: dict[str, str] = {}
    for person in sorted(desired, key=lambda p: p.ref):
        if person.ref in ambiguous:
            continue
        if person.ref in known and (known[person.ref].school is None
                                    or known[person.ref].key not in taken):
            keys[person.ref] = known[person.ref].key
            taken.add(keys[person.ref])
            continue
        key, number = person.ref, 1
        while key in taken:
            number += 1
            key = f"{person.ref}#{number}"
        taken.add(key)
        keys[person.ref] = key
    return keys


@dataclass(slots=True)
class _Registries:
    """The login registries, plus what this plan hands out as it goes: each registry's
    holdings copied once, then added to (the store's state is left as it was)."""

    registries: dict[LoginKind, LoginRegistry]
    now: datetime
    # By the kind's value: a str hashes in C, an Enum member in Python (a first rollover
    # looks a registry up for each of its tens of thousands of logins).
    _by_value: dict[str, LoginRegistry] = field(init=False)

    def __post_init__(self) -> None:
        # `copy`: a registry looked up login by login (store/state.py) stays so.
        self.registries = {kind: dataclasses.replace(registry, holdings=registry.holdings.copy())
                           for kind, registry in self.registries.items()}
        self._by_value = {kind._value_: registry for kind, registry in self.registries.items()}

    def allocate(self, kind: LoginKind, person: DesiredPerson, key: str) -> str:
        return self._allocate(self._by_value[kind._value_], kind, person, key)

    def keep_or_allocate(self, kind: LoginKind, login: str | None, person: DesiredPerson,
                         key: str, *, also: str | None = None) -> str:
        """The person's login when it is free here, else a new one (`also`: the person's
        holder name in the school they come from, whose logins stay theirs)."""
        registry = self._by_value[kind._value_]
        if not login or not registry.is_free_for(login, key, self.now, also=also):
            return self._allocate(registry, kind, person, key, also=also)
        self._hold(registry, login, key)
        return login

    def _allocate(self, registry: LoginRegistry, kind: LoginKind, person: DesiredPerson,
                  key: str, *, also: str | None = None) -> str:
        login = registry.first_free_for(person.identity.first_name, person.identity.last_name,
                                        kind, key, self.now, also=also)
        self._hold(registry, login, key)
        return login

    @staticmethod
    def _hold(registry: LoginRegistry, login: str, key: str) -> None:
        registry.holdings[login] = LoginHolding(login=login, holder=key, freed_at=None)


_SCHOOL_SCOPED = frozenset({"eleve_id", "elenoet"})  # each school's Siècle numbers its own


def _transfer(person: DesiredPerson, key: str, known: KnownPerson, state: StoreState,
              registries: _Registries) -> Action:
    """An élève arriving from another school of the folder: the same account (logins when free
    here, password, feed ids), the school's ids of the former school dropped."""
    assert known.account is not None and known.school is not None
    former = folder_holder(known.school, known.key)
    logins = tuple((kind, registries.keep_or_allocate(kind, known.account.login(kind), person,
                                                      key, also=former))
                   for kind in person.kind.login_kinds)
    return dataclasses.replace(
        _action(ActionKind.TRANSFER, person, key, logins, identity=person.identity,
                source_ids=_in_order(person.source_ids - known.source_ids),
                changes=(FieldChange("établissement", known.school, state.uai),
                         *_changes(person, known))),
        from_school=known.school, from_key=known.key, previous_logins=known.account.logins,
        dropped_ids=_in_order([s for s in known.source_ids if s.scheme in _SCHOOL_SCOPED]))


def _person_actions(person: DesiredPerson, key: str, known: KnownPerson | None,
                    state: StoreState, registries: _Registries,
                    options: PlanOptions) -> list[Action]:
    if known is not None and known.school is not None:
        return [_transfer(person, key, known, state, registries)]
    account = known.account if known else None
    if account is None or account.status is AccountStatus.DELETED:
        logins = tuple([(kind, _login_for(kind, person, key, known, registries))
                        for kind in person.kind.login_kinds])
        # A person coming back after deletion keeps the ids already known of them.
        known_ids = known.source_ids if known else frozenset()
        return [_action(ActionKind.CREATE, person, key, logins, identity=person.identity,
                        source_ids=_in_order(person.source_ids - known_ids))]
    assert known is not None  # an account belongs to a known person
    actions = []
    if account.status is AccountStatus.DISABLED:
        actions.append(_action(ActionKind.REACTIVATE, person, key, account.logins,
                               changes=(FieldChange("status", AccountStatus.DISABLED.value,
                                                    AccountStatus.ACTIVE.value),)))
    changes = _changes(person, known)
    logins = _kept_logins(person, key, known, registries, options)
    changes += tuple(FieldChange(f"login {kind.value}", old, new) for (kind, old), (_, new)
                     in zip(account.logins, logins, strict=True) if old != new)
    if changes:
        actions.append(_action(ActionKind.UPDATE, person, key, logins,
                               identity=person.identity, changes=changes,
                               previous_logins=tuple(old for old in account.logins
                                                     if old not in logins),
                               source_ids=_in_order(person.source_ids - known.source_ids)))
    before = state.divisions.get(key)
    if person.kind is PersonKind.ELEVE and before is not None and before != person.division:
        actions.append(_action(ActionKind.MOVE, person, key, logins,
                               changes=(FieldChange("division", before,
                                                    person.division or ""),)))
    return actions


def _kept_logins(person: DesiredPerson, key: str, known: KnownPerson,
                 registries: _Registries, options: PlanOptions
                 ) -> tuple[tuple[LoginKind, str], ...]:
    """An account keeps its logins, except a login that became reserved (the table of
    domain/reserved.py grew, or a target was added) and, when the school chose so, the logins
    of a person whose name changed: those take the next free form."""
    assert known.account is not None  # only accounts have logins to keep
    follow = options.login_follows_name_change and _renamed(person, known)
    return tuple((kind, registries.allocate(kind, person, key)
                  if follow or is_reserved(login) else login)
                 for kind, login in known.account.logins)


def _renamed(person: DesiredPerson, known: KnownPerson) -> bool:
    return (person.identity.last_name, person.identity.first_name) != (
        known.identity.last_name, known.identity.first_name)


def _action(
    kind: ActionKind,
    person: DesiredPerson,
    key: str,
    logins: tuple[tuple[LoginKind, str], ...],
    *,
    previous_logins: tuple[tuple[LoginKind, str], ...] = (),
    identity: Identity | None = None,
    source_ids: tuple[SourceId, ...] = (),
    changes: tuple[FieldChange, ...] = (),
) -> Action:
    return Action(kind=kind, person=key, profile=person.identity.profile, label=person.label,
                  person_kind=person.kind, division=person.division, logins=logins,
                  previous_logins=previous_logins, identity=identity,
                  source_ids=source_ids, changes=changes)


def _login_for(kind: LoginKind, person: DesiredPerson, key: str, known: KnownPerson | None,
               registries: _Registries) -> str:
    """A returning person gets their login back when it is still theirs to take, held for them
    in the plan's registry (a homonym planned after them must not be handed it too)."""
    previous = known.account.login(kind) if known and known.account else None
    return registries.keep_or_allocate(kind, previous, person, key)


def _changes(person: DesiredPerson, known: KnownPerson) -> tuple[FieldChange, ...]:
    changes = [
        FieldChange(name, _text(getattr(known.identity, name)),
                    _text(getattr(person.identity, name)))
        for name in ("last_name", "birth_name", "first_name", "birth_date", "email", "function",
                     "profile", "exit_date")
        if getattr(known.identity, name) != getattr(person.identity, name)
    ]
    changes += [FieldChange("source_id", "", f"{source.scheme}:{source.value}")
                for source in sorted(person.source_ids - known.source_ids, key=SOURCE_ID_ORDER)]
    return tuple(changes)


def _in_order(source_ids: Collection[SourceId]) -> tuple[SourceId, ...]:
    if len(source_ids) < 2:  # a staff member's or a responsable's one id: nothing to sort
        return tuple(source_ids)
    return tuple(sorted(source_ids, key=SOURCE_ID_ORDER))


def _text(value: object) -> str:
    return "" if value is None else str(value)


_DISABLED = FieldChange("status", AccountStatus.ACTIVE.value, AccountStatus.DISABLED.value)


def _guardians_of(held: set[str], state: StoreState) -> set[str]:
    """The responsables of a held élève: the élève is kept as they are, with their links to
    their responsables (Holds.keeps), so their responsables keep their accounts too, even
    when the export no longer lists them (the élève excluded from a plan that would have
    disabled them for leaving)."""
    return {responsable for responsable, children in state.children.items()
            if not children.isdisjoint(held)}


def _disables(state: StoreState, present: set[str], schemes: frozenset[str]) -> list[Action]:
    """Active accounts of people this campaign speaks for, and does not list any more."""
    return [
        Action(kind=ActionKind.DISABLE, person=person.key, profile=person.identity.profile,
               label=f"{person.identity.last_name} {person.identity.first_name}",
               person_kind=person.kind,
               division=state.divisions.get(person.key), logins=person.account.logins,
               changes=(_DISABLED,))
        for person in sorted(state.people, key=lambda p: p.key)
        if person.key not in present and person.account is not None
        and person.account.status is AccountStatus.ACTIVE
        and any(source.scheme in schemes for source in person.source_ids)
    ]


def _fact_actions(desired: frozenset[FactRow], current: frozenset[FactRow], holds: Holds,
                  covered: frozenset[str]) -> tuple[list[Action], set[str]]:
    """A held person's facts stay: neither added nor removed. So do the facts of a kind the
    campaign does not speak for (`covered_fact_kinds`): none removed, and of that kind only
    a fact about something the store does not describe yet is added (a division the élèves
    name, never a second description of one it has). Compared as rows; a Fact is made only
    for a difference. With the actions, the subjects of the facts kept for a hold although
    not desired."""
    described = {row[:3] for row in current if row[0] not in covered}
    actions = [_fact_action(ActionKind.ADD, Fact(*row)) for row in sorted(desired - current)
               if row[0] in covered or row[:3] not in described]
    kept = set()
    for fact in (Fact(*row) for row in sorted(current - desired)):
        if fact.kind in covered:
            if holds.keeps(fact):
                kept.add(fact.subject)
            else:
                actions.append(_fact_action(ActionKind.REMOVE, fact))
    return actions, kept


def _fact_action(kind: ActionKind, fact: Fact) -> Action:
    return Action(kind=kind, person=fact.subject, profile=fact.kind,
                  label=fact.target or fact.subject, fact=fact)
