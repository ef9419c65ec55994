"""Who in the directory each person of the campaign is, decided by the identity table.

For each person of the export, the candidates are the known people sharing an id with them, or
their (folded) last name and birth date, or (staff, responsables) their folded names; an élève's
INE is also looked up in the folder's other schools (a transfer), unless that school's newest
campaign, of the school year planned or a later one, still lists them present that day: a double
enrolment, held until Siècle-BEE is corrected in one of the two schools (the other school's
newest campaign of an earlier year is the usual rentrée: it has not imported its new year yet,
and the account follows the élève). An élève the export gives no INE is looked for there by
their folded names and birth date (`namesake_keys`): such a namesake is a doubt, asked (« même
personne que … du collège … ? »), never a second account in silence; once a person says « même
personne », the account follows as by the INE, or, the other school still listing them, they
are held as enrolled twice. Each candidate is weighed by
plan/identity_rules.py with its evidence. A certain match takes the account (strongest rows
first, so that a name never takes a record an id speaks for); a probable match, a conflict,
several candidates, or an INE worn by two élèves of the export holds the person: nothing is done
for them, and every account they could be is left exactly as it is: each candidate the table does
not turn away, and each one sharing an id with them whatever the table says (an ELEVE_ID, an
ELENOET, the other élève's INE). A review case says why, or, for an INE worn twice, the plan says
to correct it in Siècle-BEE (no one's decision can settle an entry error).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from bascule.domain.logins import LoginKind
from bascule.plan.desired import INE_SCHEMES, DesiredPerson, id_family, shared_ines
from bascule.plan.evidence import (
    STRONG_IDS,
    Evidence,
    NameKey,
    fold_name,
    gather_evidence,
    namesake_keys,
)
from bascule.plan.identity_rules import NAMESAKE_ELSEWHERE, decide
from bascule.plan.model import (
    Agreement,
    Attribute,
    Candidate,
    Choice,
    Decision,
    KnownPerson,
    PersonKind,
    PlanProblem,
    Resolution,
    ReviewCase,
)
from bascule.plan.review import TAKEN

DECIDED_BY_A_PERSON = "décision d'une personne : même personne"
REVIEW_HINT = "Décidez qui c'est : bascule review list"
DOUBLE_ENROLMENT_HINT = ("Corrigez dans Siècle-BEE l'inscription de l'élève dans l'un des deux "
                         "collèges (date de sortie, ou fiche saisie par erreur), puis importez "
                         "l'export corrigé : d'ici là, son compte reste où il est")
SHARED_INE_HINT = ("Corrigez l'INE dans Siècle-BEE (fiche de chaque élève nommé), puis importez "
                   "l'export de nouveau : d'ici là, leurs comptes restent tels quels")


def _slot(person: KnownPerson) -> str:
    """A known person's place in the index: keys are unique within one school only."""
    return person.key if person.school is None else f"{person.school}/{person.key}"


@dataclass(slots=True)
class Index:
    """The known people of one kind, by id value (per scheme family) and by folded names."""

    people: dict[str, KnownPerson] = field(default_factory=dict)
    by_id: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    by_birth: dict[tuple[str, object], set[str]] = field(
        default_factory=lambda: defaultdict(set))
    by_names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    # The folder's other schools' élèves by `namesake_keys`: candidates of an élève with no INE
    by_namesake: dict[NameKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    children: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def add(self, person: KnownPerson) -> None:
        slot = _slot(person)
        self.people[slot] = person
        for source in person.source_ids:
            if person.school is None or source.scheme in INE_SCHEMES:
                self.by_id[(id_family(source.scheme), source.value)].add(slot)
        identity = person.identity
        if person.school is not None:  # found by their INE, or by their names and birth date
            for key in namesake_keys(identity.last_name, identity.birth_name,  # by one with no
                                     identity.first_name, identity.birth_date):  # INE
                self.by_namesake[key].add(slot)
            return
        for last in {identity.last_name, identity.birth_name or identity.last_name}:
            self.by_birth[(fold_name(last), identity.birth_date)].add(slot)
            self.by_names[(fold_name(last), fold_name(identity.first_name))].add(slot)

    def candidates(self, person: DesiredPerson) -> set[str]:
        found: set[str] = set()
        for source in person.source_ids:
            found |= self.by_id.get((id_family(source.scheme), source.value), set())
        identity = person.identity
        for last in {identity.last_name, identity.birth_name or identity.last_name}:
            if identity.birth_date is not None:
                found |= self.by_birth.get((fold_name(last), identity.birth_date), set())
            if person.kind is not PersonKind.ELEVE:
                found |= self.by_names.get((fold_name(last), fold_name(identity.first_name)),
                                           set())
        if self.by_namesake and person.kind is PersonKind.ELEVE and not any(
                source.scheme in INE_SCHEMES for source in person.source_ids):
            for key in namesake_keys(identity.last_name, identity.birth_name,
                                     identity.first_name, identity.birth_date):
                found |= self.by_namesake.get(key, set())
        return found


@dataclass(frozen=True, slots=True)
class Verdict:
    slot: str
    known: KnownPerson
    decision: Decision
    rule: str
    rank: int
    evidence: Evidence
    by_id: bool


@dataclass(slots=True)
class Matching:
    known: dict[str, KnownPerson] = field(default_factory=dict)  # desired ref -> known person
    problems: list[PlanProblem] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)  # desired refs held: nothing done for them
    reasons: dict[str, str] = field(default_factory=dict)  # held ref -> why, in French
    # Held ref -> the other school whose newest campaign lists them too (a double enrolment)
    enrolled_elsewhere: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # held ref -> what to do, in French
    # Keys of the school's known people a held person could be: left exactly as they are,
    # never disabled; by held ref, and all of them.
    could_be: dict[str, set[str]] = field(default_factory=dict)
    doubtful: set[str] = field(default_factory=set)
    reviews: list[ReviewCase] = field(default_factory=list)
    # Ref -> key of the people taken as settled (plan/proportional.py): matched without
    # weighing, no action; not in `known`.
    settled: dict[str, str] = field(default_factory=dict)

    def known_keys(self) -> set[str]:
        """The keys of this school's accounts matched, weighed or settled."""
        return {person.key for person in self.known.values()
                if person.school is None} | set(self.settled.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchContext:
    children: Mapping[str, frozenset[str]] = field(default_factory=dict)
    services: Mapping[str, frozenset[str]] = field(default_factory=dict)
    elsewhere: tuple[KnownPerson, ...] = ()
    resolutions: Mapping[str, Resolution] = field(default_factory=dict)
    today: date | None = None  # the plan's day: an élève listed elsewhere is still there?


# The order people are matched in: a responsable is recognised through their children's keys.
KIND_ORDER = (PersonKind.ELEVE, PersonKind.STAFF, PersonKind.RESPONSABLE)


def match_people(desired: list[DesiredPerson], known: Iterable[KnownPerson],
                 children: Mapping[str, frozenset[str]] | None = None,
                 context: MatchContext | None = None,
                 settled: Mapping[str, str] | None = None) -> Matching:
    """Élèves first, then staff, then responsables (recognised through their children).
    `settled`: ref -> the key the plan applied before gave an unchanged record, for people not
    in `desired` whom no one's matching can touch (plan/proportional.py `settle`): taken as
    they are (`Matching.settled`), their keys evidence for their responsables."""
    context = context or MatchContext(children=children or {})
    matching = Matching(settled=dict(settled or {}))
    known = list(known)
    for kind in KIND_ORDER:
        pending = _hold_shared_ines(
            sorted((p for p in desired if p.kind is kind), key=lambda p: p.ref), matching)
        if pending:
            _match_kind(pending, kind_index(kind, known, context), context, matching)
    return matching


def kind_index(kind: PersonKind, known: list[KnownPerson], context: MatchContext) -> Index:
    """The known people of `kind`; for élèves, with those of the folder's other schools."""
    index = Index(children=context.children)
    for person in known:
        if person.kind is kind:
            index.add(person)
    if kind is PersonKind.ELEVE:
        for person in context.elsewhere:
            index.add(person)
    return index


def _hold_shared_ines(people: list[DesiredPerson],
                      matching: Matching) -> list[tuple[DesiredPerson, bool]]:
    """An INE worn by two élèves of one export is an entry error: both held, never merged, and
    every account they could be left as it is. Each person, and whether they are held so."""
    held: set[str] = set()
    for ine, group in sorted(shared_ines(people).items()):
        names = ", ".join(f"{p.label} ({p.ref})" for p in group)
        for person in group:
            if person.ref not in held:
                _hold(matching, person, f"INE {ine} porté par plusieurs élèves de l'export "
                                        f"({names}) : à corriger dans Siècle-BEE",
                      SHARED_INE_HINT)
            held.add(person.ref)
    return [(person, person.ref in held) for person in people]


@dataclass(frozen=True, slots=True)
class Claim:
    person: DesiredPerson
    verdict: Verdict
    weighed: list[Verdict]


def _match_kind(pending: list[tuple[DesiredPerson, bool]], index: Index,
                context: MatchContext, matching: Matching) -> None:
    if not index.people:  # no one known of this kind (a first rollover): no candidate, no claim
        for person, held in pending:
            if held:
                _could_be(matching, person.ref, [])
        return
    claims: list[Claim] = []
    # Who could be each account: its first claimant or person it could be by an id (certain,
    # probable or conflict), and, for an account with more than one (`contested`), all of them:
    # a certain claim on a contested account takes it only if it alone agrees in every id.
    first: dict[str, str] = {}
    contested: dict[str, set[str]] = {}
    matched_children = {ref: person.key for ref, person in matching.known.items()}
    matched_children.update(matching.settled)
    for person, held in pending:
        weighed = _verdicts(person, index, context, matched_children)  # NONE ones too
        for v in weighed:
            if v.decision is not Decision.NONE and (v.by_id or v.evidence.shares_id()):
                _could_claim(first, contested, v.slot, person.ref)
        if held:
            _could_be(matching, person.ref, weighed)
            continue
        there, school = _enrolled_there(weighed, context.today)
        if there:
            _hold(matching, person, there, DOUBLE_ENROLMENT_HINT)
            matching.enrolled_elsewhere[person.ref] = school
            _could_be(matching, person.ref, weighed)
            continue
        verdicts = [v for v in weighed if v.decision is not Decision.NONE]
        certain = [v for v in verdicts if v.decision is Decision.CERTAIN]
        doubts = [v for v in verdicts if v.decision in (Decision.PROBABLE, Decision.CONFLICT)]
        # Two accounts each named by an id of the person: two accounts for one person, in doubt
        # (whether the table is sure of both, or of one only). An account found by a name only
        # gives way to one an id names.
        best = [v for v in certain if v.by_id] or [
            v for v in certain if v.rank == min((c.rank for c in certain), default=0)]
        if any(v.decision is Decision.CONFLICT or v.evidence.shares_id() for v in doubts) \
                or (doubts and not certain):
            _review(matching, person, doubts + certain, weighed, context,
                    _doubt(doubts, certain))
        elif len(best) > 1:
            _review(matching, person, certain, weighed, context,
                    "correspond à plusieurs comptes")
        elif best:
            claims.append(Claim(person, best[0], weighed))
            _could_claim(first, contested, best[0].slot, person.ref)
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.verdict.slot in contested:
            groups.setdefault(claim.verdict.slot, []).append(claim)
        else:  # the one person who could be this account
            matching.known[claim.person.ref] = claim.verdict.known
    if groups:
        labels = _Labels({person.ref: person for person, _held in pending})
        for slot, group in sorted(groups.items()):
            _settle_claims(sorted(group, key=lambda c: c.person.ref), contested[slot], labels,
                           context, matching)
        _say_who_took(matching, {person.ref for person, _held in pending}, labels)


def _doubt(doubts: list[Verdict], certain: list[Verdict]) -> str:
    """A review case's reason: the question itself when the doubt is only the folder's other
    schools' namesakes of an élève with no INE; else « identité à confirmer »."""
    if certain or any(v.rule != NAMESAKE_ELSEWHERE for v in doubts):
        return "identité à confirmer"
    who = ", ou que ".join(f"{c.label} ({c.login or c.key}) du collège {c.school}"
                           for c in map(_candidate, doubts))
    return (f"même personne que {who} ? (sans INE dans l'export, même nom, même date de "
            "naissance)")


def _enrolled_there(weighed: list[Verdict], today: date | None) -> tuple[str, str]:
    """Why the person is held when another school's newest campaign still lists them on
    `today`, and that school; ("", "") when none does. A namesake without the same INE counts
    once a person said it is them (before, it is a question: `_doubt`)."""
    where = sorted((v.known.school, there.export_date) for v in weighed
                   if v.known.school is not None and (there := v.known.enrolled_there)
                   is not None and there.on(today)
                   and (v.evidence[Attribute.INE] is Agreement.SAME
                        or v.decision is Decision.CERTAIN))
    return (" ; ".join(f"inscrit(e) aussi au collège {school} dans son export du "
                       f"{day:%d/%m/%Y} : à corriger dans Siècle-BEE" for school, day in where),
            ", ".join(school for school, _day in where))


def _could_claim(first: dict[str, str], contested: dict[str, set[str]], slot: str,
                 ref: str) -> None:
    other = first.setdefault(slot, ref)
    if other != ref:
        contested.setdefault(slot, {other}).add(ref)


class _Labels(dict[str, str]):
    """Ref -> « label (ref) » of the people matched, made when first asked for."""

    def __init__(self, people: Mapping[str, DesiredPerson]):
        super().__init__()
        self.people = people

    def __missing__(self, ref: str) -> str:
        self[ref] = f"{self.people[ref].label} ({ref})"
        return self[ref]


def _say_who_took(matching: Matching, refs: set[str], labels: Mapping[str, str]) -> None:
    """A case of `refs` whose account another person took says so: « pas encore » leaves it
    with them, « même personne » would give it to two (both then held)."""
    holder = {known.key: ref for ref, known in matching.known.items()
              if known.school is None and ref in refs}
    for i, case in enumerate(matching.reviews):
        if case.person not in refs:
            continue
        candidates = tuple(
            replace(c, taken_by=labels[holder[c.key]])
            if c.school is None and holder.get(c.key, case.person) != case.person else c
            for c in case.candidates)
        took = sorted({c.taken_by for c in candidates if c.taken_by})
        if took:
            reason = case.reason if TAKEN in case.reason else (
                f"{case.reason} ; {TAKEN} " + ", ".join(took))
            matching.reviews[i] = replace(case, reason=reason, candidates=candidates)


def _settle_claims(group: list[Claim], rivals: set[str], labels: Mapping[str, str],
                   context: MatchContext, matching: Matching) -> None:
    """The certain claims on one account opposed (by another claim, or by anyone the account
    could be by an id: `rivals`): only the one claim whose every id agrees takes it; the
    others, or all when none or several agree, are held: the rule's rank never decides
    between two people (plan/identity_rules.py)."""
    agreeing = [c for c in group if _agrees(c.verdict)]
    winner = agreeing[0] if len(agreeing) == 1 else None
    if winner is not None:
        matching.known[winner.person.ref] = winner.verdict.known
    for claim in group:
        if claim is winner:
            continue
        if winner is not None:
            reason = f"{TAKEN} {labels[winner.person.ref]}"
        else:
            others = sorted(labels[r] for r in rivals if r != claim.person.ref)
            reason = ("correspond à un compte que réclame aussi "
                      + (", ".join(others) or "une autre personne"))
        _review(matching, claim.person, [claim.verdict], claim.weighed, context, reason)


def _agrees(verdict: Verdict) -> bool:
    """A claim whose every id agrees: one id in common at least, and none the person and the
    account both have differs (a name alone never wins against an id; a person's decision
    counts as agreeing)."""
    if verdict.rank < 0:
        return True
    return verdict.evidence.shares_id() and not any(
        item.agreement is Agreement.DIFFERENT and item.attribute in STRONG_IDS
        for item in verdict.evidence.items)


def _could_be(matching: Matching, ref: str, weighed: list[Verdict]) -> None:
    """The school's accounts a held person could be: each candidate the table does not turn
    away, and each one sharing an id with them whatever the table decides (two INEs that
    differ turn away the account of the same ELEVE_ID: not while the person waits)."""
    keys = {v.known.key for v in weighed if v.known.school is None and (
        v.decision is not Decision.NONE or v.evidence.shares_id())}
    matching.could_be[ref] = keys
    matching.doubtful |= keys


def _verdicts(person: DesiredPerson, index: Index, context: MatchContext,
              matched_children: Mapping[str, str]) -> list[Verdict]:
    resolution = context.resolutions.get(person.ref)
    children = frozenset(matched_children[r] for r in person.children if r in matched_children)
    verdicts = []
    for slot in sorted(index.candidates(person)):
        known = index.people[slot]
        if resolution is not None and resolution.choice is Choice.DIFFERENT \
                and _said_not_them(resolution, slot, known, index):
            continue  # a person said so: not them
        evidence = gather_evidence(person, known, context.services.get(known.key, frozenset()),
                                   (children, index.children.get(known.key, frozenset())))
        decision, rule, rank = decide(evidence)
        by_id, name = rule.by_id, rule.name
        if resolution is not None and resolution.choice is Choice.SAME \
                and resolution.candidates[:1] == (slot,):  # another school's: "UAI/key"
            decision, rank, name, by_id = Decision.CERTAIN, -1, DECIDED_BY_A_PERSON, True
        verdicts.append(Verdict(slot, known, decision, name, rank, evidence, by_id))
    if any(v.decision is Decision.CERTAIN and v.known.school is None for v in verdicts):
        verdicts = [v for v in verdicts if v.known.school is None]  # already one of ours
    return verdicts


def _hold(matching: Matching, person: DesiredPerson, reason: str, hint: str) -> None:
    matching.ambiguous.add(person.ref)
    matching.reasons[person.ref] = reason
    matching.hints[person.ref] = hint
    matching.problems.append(PlanProblem(
        person=person.ref, message=f"{person.label} ({person.ref}) : {reason} ; rien n'est fait "
                                   "pour cette personne ni pour les comptes concernés"))


def _review(matching: Matching, person: DesiredPerson, verdicts: list[Verdict],
            weighed: list[Verdict], context: MatchContext, reason: str) -> None:
    """Hold `person` for a decision on `verdicts` (`weighed`: all their candidates)."""
    # The accounts in doubt, unless the reason names them already (« compte déjà attribué à
    # KONÉ Timothée (eleve:1000002) »: its key once, not twice).
    keys = ", ".join(key for key, login in sorted(
        (v.known.key, _login(v.known) or "") for v in verdicts)
        if f"({key})" not in reason and not (login and f"({login})" in reason))
    _hold(matching, person, f"{reason}{f' ({keys})' if keys else ''}, à examiner : bascule "
                            "review list", REVIEW_HINT)
    _could_be(matching, person.ref, weighed)
    matching.reviews.append(ReviewCase(
        person=person.ref, label=person.label, division=person.division, reason=reason,
        candidates=tuple(_candidate(v) for v in verdicts),
        resolution=context.resolutions.get(person.ref)))


def _said_not_them(resolution: Resolution, slot: str, known: KnownPerson,
                   index: Index) -> bool:
    """Whether a « personne différente » names this candidate. Decisions recorded before the
    other schools' candidates were named « UAI/key » name them by their key alone: taken so
    only where no one of this school has that key (ELEVE_IDs are each school's: A's 1000005
    is not B's)."""
    if slot in resolution.candidates:
        return True
    return (known.school is not None and known.key in resolution.candidates
            and known.key not in index.people)


def _login(known: KnownPerson) -> str | None:
    if known.account is None:
        return None
    return known.account.login(LoginKind.NETWORK) or known.account.login(LoginKind.EDUCONNECT)


def _candidate(verdict: Verdict) -> Candidate:
    """Another school's account is named « UAI/key » (keys are unique in one school only): a
    decision on it names it so (`Resolution.candidates`)."""
    known = verdict.known
    return Candidate(key=verdict.slot, label=f"{known.identity.last_name} "
                                             f"{known.identity.first_name}",
                     login=_login(known), school=known.school, decision=verdict.decision,
                     rule=verdict.rule, evidence=verdict.evidence.items)
