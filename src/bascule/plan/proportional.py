"""Work proportional to the change (issue 22): what a plan can take as settled from the plan
applied before it. Pure.

After an apply, the directory holds exactly what the applied plan wanted for each person it
matched or created: planning the same campaign again matches each of them to the same account
and does nothing for them. So a person of the next campaign whose desired record is the one
that plan had, on a directory nothing wrote since that apply and under the same rules
(`plan_context`), is the same account again with no action, without weighing their candidates.

**Who counts as settled** (an identity decision: it must be exactly what the full path would
decide for them). A desired person is a pure function of their inputs (plan/desired.py
`people_inputs`: the record's ids, names, dates, division, children, services; the school);
plan/matching.py decides who they are from the first part of those inputs (`MATCHED`: ids, names,
birth date, services, children), the plan's actions the rest too. The basis keeps, per ref,
the digest of both parts (plan/prepared.py `person_digest`) and the key the plan gave them. A
person is a *candidate* when the matched part of their digest is the basis's (the matching
reads them as it did then), and their key is an active account of this school, of their
kind, loaded or listed by key and status, that no held export record freezes and no hold by
hand names. Of the candidates, `settle` keeps exactly those plan/matching.py would keep: not
an élève wearing an INE another élève of the campaign wears (held, plan/matching.py), a
responsable only with all their children kept (their children's accounts are evidence of who
they are), and no one whose account is a candidate (`Index.candidates`, the identity table's
search) of a person of their kind who is weighed: such a holder is weighed too, and their
candidates looked at in turn. The rest is weighed against everyone of their kind, as on the
full path. Then no weighed person can claim a kept account, and each kept person's account
is the one the full path's matching gives them: it did so at the basis's plan, the directory
holds what that plan wanted, and nothing the matching reads of them or of their candidates
changed. A kept person whose digest is the basis's whole takes no action and is read by key
only; one whose other part changed (`Against.acted`: an élève moved, an email) is planned as a
weighed person matched to that account is, from their account loaded in full. Keeping fewer
than that never changes a plan (a weighed person whose record did not change is matched as
the full path matches everyone), so wherever there is doubt (a digest of older rules, a ref
repeated in the campaign) the person is weighed. Holds, disables, the breaker and the plan's
lists are computed on everyone, as on the full path; the facts on everyone but the settled
whose digest is the basis's whole (`facts_settled` gives the argument).
`tests/plan/test_proportional_equal.py` checks on generated campaigns and random changes that
the two plans and their bases are equal.

When anything that the rules read changed (the rules' version below, the reserved logins'
table, the school year, the schemes the campaign speaks for, the decisions of review cases, the
holds put by hand, the plan's options), the basis is not used: the full path, never a guess.

The digests themselves need not all be made again: a person whose inputs are, by the import's
chain, the very ones the basis's plan digested keeps the basis's digest (`chained_digests`
gives the argument); a shortcut of `person_digest`, never another value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

from bascule.domain.reserved import TABLE_VERSION as RESERVED_TABLE_VERSION
from bascule.plan.desired import DesiredPerson, ResponsableInputs, eleve_ref
from bascule.plan.matching import KIND_ORDER, Index, MatchContext, Matching, kind_index
from bascule.plan.model import (
    AccountStatus,
    KnownPerson,
    PersonHold,
    PersonKind,
    Resolution,
)
from bascule.plan.prepared import Prepared, matched_part
from bascule.snapshot.memo import Chain
from bascule.snapshot.model import Snapshot

# Bump with any change to how a plan matches people or decides their actions (plan/matching.py,
# plan/identity_rules.py, plan/evidence.py, plan/compute.py): a basis of older rules is ignored.
# 2: digests of the desired people's inputs, in two parts (plan/prepared.py); 3: the same
# PERSONNE_ID under other names held for review (plan/identity_rules.py); 4: two INEs on one
# ELEVE_ID held, a responsable's other first name or other children held, every account a held
# person shares an id with kept (plan/matching.py); 5: the digests cover what a person's facts
# are made of (an élève's groups, a staff member's services and PP, a responsable's every
# link), the context the kinds of facts the campaign speaks for: the facts of the settled
# people whose digest is the basis's are neither desired nor compared (`facts_settled`);
# 6: one INE under another first name or on another ELEVE_ID held, staff of one source under
# other ids held, competing claims on one account held unless one alone agrees in every id
# (plan/identity_rules.py, plan/matching.py); 7: one ELEVE_ID (STS epp id, local list line,
# jointure AAF) under another first name held, an STS local id given anew held when no division
# or group taught confirms, an élève another school's newest campaign still lists held;
# 8: an élève with no INE, of the names and birth date of another school's élève, held and
# asked (plan/identity_rules.py NAMESAKE_ELSEWHERE); a double enrolment seen by ELEVE_ID too
RULES_VERSION = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Basis:
    """What a plan settled: for each campaign ref it matched or created, the digest of the
    person it wanted (`person_digest`) and their directory key; `context` is `plan_context`
    of that plan. Kept with the plan, used once the plan is applied (store/basis.py)."""

    context: str
    people: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (digest, key)
    # The staged campaign the plan was computed on (its content hash), and the ELEVE_IDs that
    # made responsables' children on its day (plan/desired.py `inputs_and_present`): what
    # the next plan's digests may chain to (`chained_digests`). None: nothing chains to it.
    staged: str | None = None
    present: frozenset[str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextParts:
    """What, beyond each person's record, the rules read: any change forces the full path."""

    school_year: int
    schemes: frozenset[str]
    fact_kinds: frozenset[str]  # plan/desired.py covered_fact_kinds
    resolutions: Mapping[str, Resolution]
    person_holds: Iterable[PersonHold]
    options: str  # the plan's options and the logins' quarantine, as text


def plan_context(parts: ContextParts) -> str:
    text = repr((
        RULES_VERSION, RESERVED_TABLE_VERSION, parts.school_year, sorted(parts.schemes),
        sorted(parts.fact_kinds),
        sorted((ref, r.choice.value, r.candidates) for ref, r in parts.resolutions.items()),
        sorted((h.key, h.until, h.origin.value) for h in parts.person_holds),
        parts.options))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Against:
    """The campaign's people against a basis: `matched`, ref -> the directory key the basis gave
    them, for each person whose record reads the same to the matching as it did (the matched
    part of their digest: new records, and records whose ids, names, birth date, services or
    children changed, are not); `acted`, those of them whose record changed all the same, in
    what the plan does for a person once matched (an élève's division, an email)."""

    matched: dict[str, str]
    acted: frozenset[str]


def against(prepared: Prepared, basis: Basis) -> Against:
    """Computed once a basis (the store's loader and the plan both ask)."""
    if prepared.against is not None and prepared.against[0] is basis:
        return cast(Against, prepared.against[1])
    get = basis.people.get
    matched: dict[str, str] = {}
    acted = []
    for ref, digest in prepared.digests.items():
        if (entry := get(ref)) is None:
            continue
        if entry[0] == digest:
            matched[ref] = entry[1]
        elif matched_part(entry[0]) == matched_part(digest):
            matched[ref] = entry[1]
            acted.append(ref)
    result = Against(matched, frozenset(acted))
    prepared.against = (basis, result)
    return result


def settled_people(prepared: Prepared, basis: Basis | None, context: str,
                   people: Iterable[KnownPerson], unreached: Mapping[str, str | None],
                   frozen: Collection[str]) -> dict[str, str]:
    """The candidates: ref -> the key of the account (of this school, active, of their kind,
    not `frozen`: held) the basis settled them on, for each person whose record reads the
    same to the matching (`against`); empty without a basis of this very context. A
    person not loaded in full (`unreached`: key -> the profile of an active account, or None)
    is taken by key: the plan reads nothing else of a settled person whose record did not
    change at all."""
    if basis is None or basis.context != context or not basis.people or not prepared.distinct:
        return {}
    loaded = {person.key: person for person in people}
    kinds, compared = prepared.kinds, against(prepared, basis)
    candidates = {}
    for ref, key in compared.matched.items():
        if key in frozen:
            continue
        known = loaded.get(key)
        if known is None:
            if unreached.get(key) is not None:
                if ref in compared.acted:  # plan/reach.py loads them
                    raise ValueError("a directory loaded in part needs the basis it was "
                                     "loaded for")
                candidates[ref] = key
        elif known.school is None and known.kind is kinds[ref] and known.account is not None \
                and known.account.status is AccountStatus.ACTIVE:
            candidates[ref] = key
    return candidates


def settle(prepared: Prepared, refs: list[str], candidates: Mapping[str, str],
           known: list[KnownPerson], context: MatchContext) -> dict[str, str]:
    """Of the `candidates` (`settled_people`) among `refs`, those plan/matching.py would keep,
    as the module's docstring says: ref -> key. `refs`: the campaign's people the plan
    matches, in `desired_people`'s order; `known`: the school's people it matches them against
    (loaded in full), `context` as plan/matching.py's."""
    if not candidates:
        return {}
    shared = prepared.sharing
    by_kind: dict[PersonKind, list[str]] = {kind: [] for kind in KIND_ORDER}
    kinds = prepared.kinds
    for ref in refs:
        by_kind[kinds[ref]].append(ref)
    kept_all: dict[str, str] = {}
    for kind in KIND_ORDER:
        pending = by_kind[kind]
        kept = {ref for ref in pending if ref in candidates and ref not in shared}
        if kind is PersonKind.RESPONSABLE:
            kept = {ref for ref in kept if kept_all.keys() >= set(prepared.children(ref))}
        if len(kept) < len(pending):
            _reopen(prepared, pending, kept, {candidates[ref]: ref for ref in kept},
                    kind_index(kind, known, context))
        kept_all.update((ref, candidates[ref]) for ref in kept)
    return kept_all


def _reopen(prepared: Prepared, pending: list[str], kept: set[str], holder: dict[str, str],
            index: Index) -> None:
    """Take out of `kept` (`holder`: their key -> ref) anyone whose account is a candidate of a
    person of `pending` weighed, and weigh them in turn."""
    weighed = [ref for ref in pending if ref not in kept]
    while weighed:
        for slot in index.candidates(prepared.person(weighed.pop())):
            if (ref := holder.pop(slot, None)) is not None:
                kept.discard(ref)
                weighed.append(ref)


def facts_settled(prepared: Prepared, basis: Basis | None, settled: Mapping[str, str]
                  ) -> set[str]:
    """The keys of the `settled` people (`settle`) whose facts the plan need neither desire
    nor compare: the directory holds the very facts the full path would desire of them. Those
    whose digest is the basis's whole (not `Against.acted`), a responsable only with each
    élève of their links, legal or not, settled too (a guardian fact names the child's key:
    the basis's), or without a key now and then.

    Why: the digest covers everything a person's facts are made of besides their key
    (plan/desired.py `person_facts`), and the key is the basis's; so are their children's.
    So they desire the facts the basis's plan desired of them. That plan was applied and
    nothing wrote the directory since (store/basis.py), under the same kinds of facts covered
    (the context): the directory holds of them exactly those facts, of the kinds covered, and
    of the others none that the full path would add or remove. But for a fact kept for a hold
    although not desired (a guardian fact naming a held élève): the basis then gives its
    subject's digest as `kept_facts`, which is never a person's (they are planned and
    compared in full). A settled person is never held (`settled_people`), so the full path
    plans no fact of theirs. An élève of a responsable's links who is neither present now
    nor in the basis has no key, now or then (the basis keeps every ref its plan gave a key:
    the plan's `keys` never hold a held record's ref), and makes no fact either time."""
    if basis is None or not settled or not prepared.distinct:
        return set()
    acted = against(prepared, basis).acted
    inputs, then = prepared.inputs, basis.people
    unchanged = {key for ref, key in settled.items() if ref not in acted}
    for ref in prepared.responsables:
        if (key := settled.get(ref)) is None or key not in unchanged:
            continue
        responsable = cast(ResponsableInputs, inputs[ref])
        for child in responsable[6]:  # settled, as `settle` keeps a responsable
            if child not in settled:
                unchanged.discard(key)
                break
        for child, _level in responsable[8]:
            if child not in settled and (child in inputs or child in then):
                unchanged.discard(key)
                break
    return unchanged


_NO_INPUTS = "-" * 16  # a digest's second half that no inputs give (`kept_facts`)


def kept_facts(digest: str) -> str:
    """The digest a basis gives a person of whom a fact was kept for a hold although their
    plan did not desire it: its matched half, and a second half no inputs give."""
    return matched_part(digest) + _NO_INPUTS


def chained_digests(snapshot: Snapshot, chain: Chain | None, basis: Basis | None,
                    context: str, present: frozenset[str]) -> dict[str, str]:
    """ref -> the digest the `basis` gives them, for the people of `snapshot` whose inputs
    (plan/desired.py `people_inputs`) are known to be the very ones that basis's plan
    digested, without making them: a shortcut of `person_digest`, never another value.
    `present`: this plan's ELEVE_IDs that make responsables' children (`inputs_and_present`).

    Why they are the same inputs. The basis was computed on the staged campaign
    `basis.staged`, and this campaign's build took parts again from that campaign's build
    (`chain`, snapshot/memo.py): an élève of `chain.eleves` is that campaign's very Eleve,
    and with `chain.responsables` its responsables and guardianships are too. An élève's
    inputs are a function of their Eleve alone; a responsable's of their Responsable, their
    links, and which of their linked élèves are in `present` (a legal link to one makes a
    child, to another a link of another kind): the same when none of their linked élèves came
    or went from `present` since the basis's day (`basis.present`). The basis gives their
    digest of those inputs: the plan's own, unless a fact was kept for a hold (`kept_facts`:
    computed again). The digest is a function of the rules (their version in the context):
    a basis of another context gives nothing. Staff are always digested (their inputs read
    services and PP, which no chain covers). Anything missing: {} (every digest computed)."""
    if (chain is None or basis is None or basis.staged is None or basis.present is None
            or chain.previous != basis.staged or basis.context != context):
        return {}
    then = basis.people
    known: dict[str, str] = {}
    for eleve_id in chain.eleves:
        entry = then.get(ref := eleve_ref(eleve_id))
        if entry is not None and not entry[0].endswith(_NO_INPUTS):
            known[ref] = entry[0]
    if chain.responsables:
        came_or_went = present ^ basis.present
        touched = {link.personne_id for link in snapshot.guardianships
                   if link.eleve_id in came_or_went} if came_or_went else set()
        for responsable in snapshot.responsables:
            if responsable.personne_id in touched:
                continue
            entry = then.get(ref := f"responsable:{responsable.personne_id}")
            if entry is not None and not entry[0].endswith(_NO_INPUTS):
                known[ref] = entry[0]
    return known


def to_plan(desired: list[DesiredPerson], matching: Matching, prepared: Prepared,
             basis: Basis | None, free: list[KnownPerson]
             ) -> list[tuple[DesiredPerson, KnownPerson | None]]:
    """The people whose actions are computed, with the known person they are: the weighed
    (not in doubt), and the settled whose record changed in what the plan does for them."""
    planned = [(person, matching.known.get(person.ref)) for person in desired
               if person.ref not in matching.ambiguous]
    if basis is not None and matching.settled:
        loaded = {person.key: person for person in free}
        planned += [(prepared.person(ref), loaded[matching.settled[ref]])
                    for ref in against(prepared, basis).acted if ref in matching.settled]
    return planned

