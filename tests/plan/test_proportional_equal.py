"""The plan proportional to the change equals the full plan (issue 22, plan/proportional.py).

A generated collège is rolled over once; then random changes are made to its campaign (moves,
arrivals, departures, renames, homonyms, an INE worn twice, staff and responsables changed) and
the plan of the changed campaign is computed twice on the same directory: with the basis the
applied plan left (people whose record did not change taken as settled) and without it (everyone
weighed). The two must be equal, action for action, held and review cases included."""

from __future__ import annotations

import dataclasses
import random
import tempfile
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bascule.domain.people import GuardianLevel
from bascule.domain.structures import StructureKind
from bascule.errors import Location
from bascule.operations import campaign
from bascule.plan.compute import (
    PlanOptions,
    compute_plan,
    plan_and_basis,
    prepare,
    prepared_facts,
)
from bascule.plan.desired import DesiredPerson, desired_facts, desired_people, person_facts
from bascule.plan.matching import MatchContext
from bascule.plan.model import StoreState
from bascule.plan.prepared import Prepared, matched_part, person_digest
from bascule.plan.proportional import (
    Basis,
    chained_digests,
    facts_settled,
    settle,
    settled_people,
)
from bascule.plan.reach import reach_for
from bascule.settings import Settings, init_home, load_settings
from bascule.snapshot.memo import Chain
from bascule.snapshot.model import (
    Eleve,
    HeldRecord,
    PersonKind,
    ProfPrincipal,
    Responsable,
    Service,
    Snapshot,
    Staff,
    StaffKey,
    Treatment,
)
from bascule.store.basis import applied_basis
from bascule.store.engine import open_store
from bascule.store.state import load_state
from bascule.synthetic.generate import generate_campaigns

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)


class Applied:
    """A plain class: hypothesis's reports print it as its short repr, not field by field."""

    def __init__(self, snapshot: Snapshot, state: StoreState, basis: Basis,
                 settings: Settings, staged_sha256: str):
        self.snapshot, self.state, self.basis = snapshot, state, basis
        self.settings, self.staged_sha256 = settings, staged_sha256

    def reduced(self, snapshot: Snapshot) -> tuple[StoreState, Prepared]:
        """The directory as a proportional plan of `snapshot` loads it (plan/reach.py). The
        facts it leaves out are never read after all (`StoreState.more_facts`): the plan
        compares none of them."""
        prepared = prepare(snapshot, NOW)
        with open_store(self.settings.store_url).connect() as connection:
            state = load_state(connection, self.snapshot.uai, snapshot.school_year,
                               quarantine=self.settings.login_quarantine,
                               staged_sha256=self.staged_sha256,
                               resolutions=self.state.resolutions,
                               reach=reach_for(snapshot, prepared, self.basis))
        return dataclasses.replace(state, more_facts=_facts_never_read), prepared

    def __repr__(self) -> str:
        return f"Applied({self.snapshot.uai})"


def _facts_never_read(subjects: frozenset[str]) -> frozenset[tuple[str, str, str, str]]:
    raise AssertionError(f"facts left out, then compared: {sorted(subjects)[:5]}")


def _rolled_over(root: Path, seed: int, size: int) -> tuple[Settings, str]:
    """A generated collège's first rollover: imported, planned, applied."""
    (college,) = generate_campaigns(root / "exports", seed=seed, year=2025, size=size)
    settings, _ = init_home(root / "home", college.uai, college.name)
    campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
    campaign.plan_campaign(settings, college.uai, now=NOW)
    campaign.apply_saved_plan(settings, college.uai, now=NOW, actor="test")
    return settings, college.uai


def _plan_as_bascule_does(settings: Settings, uai: str) -> tuple[Prepared, bool]:
    """The prepared people of the plan bascule computes (plan_campaign), and whether that
    plan is the full path's on the same directory; the plan is then applied."""
    engine = open_store(settings.store_url)
    prepared = campaign.staged_for_plan(engine, settings, uai, _options(settings, uai),
                                        now=NOW)[3]
    plan = campaign.plan_campaign(settings, uai, now=NOW)
    staged, state = campaign.staged_and_state(engine, settings, uai)
    equal = plan == compute_plan(staged.snapshot, state, now=NOW)
    if not plan.is_empty:
        campaign.apply_saved_plan(settings, uai, now=NOW, actor="test", allow_mass_leave=True)
    return prepared, equal


def test_the_import_chains_the_digests_of_what_it_took_again() -> None:
    """Through the import: élèves moved (their records built again), the plan takes from the
    basis the digests of everyone else but the staff, and equals the full path's. An import
    staged in between without a plan (the basis older than the campaign the build took its
    parts of): no digest is taken, the plan is the full path's."""
    from bascule.synthetic.changes import move_eleves

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (college,) = generate_campaigns(root / "exports", seed=4, year=2025, size=40)
        settings, _ = init_home(root / "home", college.uai, college.name)
        uai, rng = college.uai, random.Random(4)
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        first, equal = _plan_as_bascule_does(settings, uai)
        assert first.chained == 0 and equal  # nothing to chain to: every digest made
        moved = move_eleves(college.folders[0], root / "moved", 2, rng)
        campaign.import_exports(settings, sorted((root / "moved").iterdir()), now=NOW)
        prepared, equal = _plan_as_bascule_does(settings, uai)
        staff = sum(ref.startswith("staff:") for ref in prepared.refs)
        assert equal and prepared.chained == len(prepared.refs) - staff - len(moved)
        for before, step in (("moved", "again"), ("again", "twice")):  # two imports, one plan
            move_eleves(root / before, root / step, 1, rng)
            campaign.import_exports(settings, sorted((root / step).iterdir()), now=NOW)
        prepared, equal = _plan_as_bascule_does(settings, uai)
        assert equal and prepared.chained == 0


def _applied(settings: Settings, uai: str) -> Applied:
    """The newest staged campaign, the directory, and the basis the last apply left."""
    engine = open_store(settings.store_url)
    staged, state = campaign.staged_and_state(engine, settings, uai)
    with engine.connect() as connection:
        basis = applied_basis(connection, uai)
    assert basis is not None, "no basis after the apply"
    return Applied(staged.snapshot, state, basis, settings, staged.content_sha256)


@pytest.fixture(scope="module")
def applied() -> Iterator[Applied]:
    """One collège rolled over (the examples only compute plans: the store is not written)."""
    with tempfile.TemporaryDirectory() as folder:
        yield _applied(*_rolled_over(Path(folder), seed=7, size=60))


# One change to the campaign: (what, which record by its position, a number for the new values)
CHANGES = st.lists(st.tuples(
    st.sampled_from(["move", "held_record", "arrive", "leave", "rename", "homonym", "shared_ine",
                     "exit_passed", "staff_leaves", "staff_renamed", "responsable_renamed",
                     "responsable_leaves", "new_birth_date", "exit_later", "staff_function",
                     "staff_email", "responsable_email", "move_and_rename", "ine_corrected",
                     "responsable_replaced", "groups", "pp", "service_added", "service_removed",
                     "link_level", "link_added"]),
    st.integers(0, 10_000), st.integers(0, 10_000)), min_size=0, max_size=6)


def _changed(snapshot: Snapshot, changes: list[tuple[str, int, int]]) -> Snapshot:
    for what, at, number in changes:
        snapshot = _CHANGERS[what](snapshot, at, number)
    return snapshot


def _eleve_at(snapshot: Snapshot, at: int) -> tuple[int, Eleve]:
    index = at % len(snapshot.eleves)
    return index, snapshot.eleves[index]


def _with_eleve(snapshot: Snapshot, index: int, eleve: Eleve | None) -> Snapshot:
    eleves = list(snapshot.eleves)
    if eleve is None:
        del eleves[index]
    else:
        eleves[index] = eleve
    return dataclasses.replace(snapshot, eleves=tuple(eleves))


def _move(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    index, eleve = _eleve_at(snapshot, at)
    divisions = [d.code for d in snapshot.divisions]
    return _with_eleve(snapshot, index, dataclasses.replace(
        eleve, division=divisions[number % len(divisions)]))


def _arrive(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    _index, model = _eleve_at(snapshot, at)
    newcomer = dataclasses.replace(model, eleve_id=f"9{number:06d}", elenoet=None,
                                   ine=f"{number:09d}ZZ", ine_rnie=None, ine_bea=None,
                                   last_name=f"NOUVEAU{number}", birth_name=None)
    return _with_newcomer(snapshot, newcomer)


def _homonym(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """A new élève with the names and birth date of one already there, no INE."""
    _index, model = _eleve_at(snapshot, at)
    twin = dataclasses.replace(model, eleve_id=f"8{number:06d}", elenoet=None, ine=None,
                               ine_rnie=None, ine_bea=None)
    return _with_newcomer(snapshot, twin)


def _with_newcomer(snapshot: Snapshot, newcomer: Eleve) -> Snapshot:
    """The snapshot with one more élève, unless its ELEVE_ID is taken: a snapshot never holds
    two (build_eleves keeps one record an ELEVE_ID), and two arrivals of the same number drew
    one (found by this property: an impossible campaign, not a fault of the plan)."""
    if any(eleve.eleve_id == newcomer.eleve_id for eleve in snapshot.eleves):
        return snapshot
    return dataclasses.replace(snapshot, eleves=(*snapshot.eleves, newcomer))


def _shared_ine(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """Another élève given the INE of one already there (an entry error)."""
    _index, model = _eleve_at(snapshot, at)
    index, other = _eleve_at(snapshot, number)
    if other.eleve_id == model.eleve_id or not model.ine:
        return snapshot
    return _with_eleve(snapshot, index, dataclasses.replace(other, ine=model.ine))


def _ine_corrected(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """An élève's INE changed by one character on the same record (corrected in Siècle)."""
    index, eleve = _eleve_at(snapshot, at)
    if not eleve.ine:
        return snapshot
    ine = f"{eleve.ine[:-2]}{number % 10}{eleve.ine[-1]}"
    return _with_eleve(snapshot, index, dataclasses.replace(
        eleve, ine=ine, ine_rnie=ine if eleve.ine_rnie else None))


def _leave(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    index, _eleve = _eleve_at(snapshot, at)
    return _with_eleve(snapshot, index, None)


def _rename(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    index, eleve = _eleve_at(snapshot, at)
    return _with_eleve(snapshot, index, dataclasses.replace(eleve, last_name=f"AUTRE{number}"))


def _new_birth_date(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    index, eleve = _eleve_at(snapshot, at)
    return _with_eleve(snapshot, index, dataclasses.replace(
        eleve, birth_date=date(2012, 1, 1) + timedelta(days=number % 700)))


def _exit_passed(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    index, eleve = _eleve_at(snapshot, at)
    return _with_eleve(snapshot, index, dataclasses.replace(eleve, exit_date=date(2025, 9, 1)))


def _staff_leaves(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    staff = list(snapshot.staff)
    del staff[at % len(staff)]
    return dataclasses.replace(snapshot, staff=tuple(staff))


def _staff_with(snapshot: Snapshot, at: int, **changes: object) -> Snapshot:
    """The staff member at `at` (modulo their number) with these fields changed."""
    staff = list(snapshot.staff)
    index = at % len(staff)
    staff[index] = dataclasses.replace(staff[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(snapshot, staff=tuple(staff))


def _responsable_with(snapshot: Snapshot, at: int, **changes: object) -> Snapshot:
    """The responsable at `at` (modulo their number) with these fields changed."""
    people = list(snapshot.responsables)
    index = at % len(people)
    people[index] = dataclasses.replace(people[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(snapshot, responsables=tuple(people))


def _staff_renamed(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _staff_with(snapshot, at, first_name=f"Prénom{number}")


def _responsable_renamed(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _responsable_with(snapshot, at, last_name=f"PARENT{number}")


def _responsable_replaced(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """Another person under a responsable's PERSONNE_ID: another first name."""
    return _responsable_with(snapshot, at, first_name=f"Autre{number}")


def _responsable_leaves(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    people = list(snapshot.responsables)
    del people[at % len(people)]
    return dataclasses.replace(snapshot, responsables=tuple(people))


def _held_record(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """A record of the export held for a fault, carrying the INE of an élève already there:
    that élève's account is frozen, no one's to take, settled or weighed."""
    _index, eleve = _eleve_at(snapshot, at)
    if not eleve.ine:
        return snapshot
    held = HeldRecord(kind=PersonKind.ELEVE, person_id=f"7{number:06d}",
                      other_ids=(("ine", eleve.ine),), label="ÉLÈVE Fautif",
                      treatment=(Treatment.HOLD, Treatment.SET_ASIDE)[number % 2],
                      reason="date de naissance impossible", hint="Corrigez-la dans Siècle.",
                      location=Location(file="ElevesSansAdresses.xml", record=f"7{number:06d}"))
    return dataclasses.replace(snapshot, held=(*snapshot.held, held))


def _exit_later(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """An exit date still to come: the élève stays, their record changes."""
    index, eleve = _eleve_at(snapshot, at)
    return _with_eleve(snapshot, index, dataclasses.replace(
        eleve, exit_date=date(2026, 1, 1) + timedelta(days=number % 200)))


def _move_and_rename(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _rename(_move(snapshot, at, number), at, number)


def _staff_function(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _staff_with(snapshot, at, function=("DIR", "ENS", "EDU", "")[number % 4],
                       teaches=number % 3 == 0)


def _staff_email(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _staff_with(snapshot, at, email=f"p{number}@ac-poitiers.fr")


def _responsable_email(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    return _responsable_with(snapshot, at, email=(None, f"r{number}@free.fr")[number % 2])


def _groups(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """An élève's groups changed: one more, or one less (their division as it was)."""
    index, eleve = _eleve_at(snapshot, at)
    codes = [g.code for g in snapshot.groups]
    groups = (eleve.groups[1:] if eleve.groups and number % 2 else
              (*eleve.groups, codes[number % len(codes)]) if codes else ("AUTRE",))
    return _with_eleve(snapshot, index, dataclasses.replace(eleve, groups=tuple(groups)))


def _pp(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """A professeur principal given to another teacher, or of another division."""
    if not snapshot.profs_principaux:
        return snapshot
    pps = list(snapshot.profs_principaux)
    index = at % len(pps)
    divisions = [d.code for d in snapshot.divisions]
    pps[index] = (dataclasses.replace(pps[index], teacher=snapshot.staff[number % len(
        snapshot.staff)].key) if number % 2 else dataclasses.replace(
        pps[index], division=divisions[number % len(divisions)]))
    return dataclasses.replace(snapshot, profs_principaux=tuple(pps))


def _service_added(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    member = snapshot.staff[at % len(snapshot.staff)]
    service = Service(teacher=member.key, structure_code=snapshot.divisions[
        number % len(snapshot.divisions)].code, structure_kind=StructureKind.DIVISION,
        subject_code=f"9{number % 100:05d}", mod_cours=None)
    return dataclasses.replace(snapshot, services=(*snapshot.services, service))


def _service_removed(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    services = list(snapshot.services)
    del services[at % len(services)]
    return dataclasses.replace(snapshot, services=tuple(services))


def _link_level(snapshot: Snapshot, at: int, _number: int) -> Snapshot:
    """A guardianship's level changed (a legal one no longer legal, another one legal)."""
    links = list(snapshot.guardianships)
    index = at % len(links)
    level = GuardianLevel.EN_CHARGE if links[index].is_legal else GuardianLevel.LEGAL
    links[index] = dataclasses.replace(links[index], level=level)
    return dataclasses.replace(snapshot, guardianships=tuple(links))


def _link_added(snapshot: Snapshot, at: int, number: int) -> Snapshot:
    """A responsable in charge of another élève besides their own (not a legal link)."""
    link = snapshot.guardianships[at % len(snapshot.guardianships)]
    _index, eleve = _eleve_at(snapshot, number)
    added = dataclasses.replace(link, eleve_id=eleve.eleve_id,
                                level=GuardianLevel.CONTACT if number % 2 else
                                GuardianLevel.EN_CHARGE)
    if any((g.eleve_id, g.personne_id) == (added.eleve_id, added.personne_id)
           for g in snapshot.guardianships):
        return snapshot
    return dataclasses.replace(snapshot, guardianships=(*snapshot.guardianships, added))


_CHANGERS = {"move": _move, "held_record": _held_record, "arrive": _arrive, "leave": _leave,
             "rename": _rename,
             "homonym": _homonym, "shared_ine": _shared_ine, "exit_passed": _exit_passed,
             "staff_leaves": _staff_leaves, "staff_renamed": _staff_renamed,
             "responsable_renamed": _responsable_renamed,
             "responsable_leaves": _responsable_leaves, "new_birth_date": _new_birth_date,
             "exit_later": _exit_later, "staff_function": _staff_function,
             "staff_email": _staff_email, "responsable_email": _responsable_email,
             "move_and_rename": _move_and_rename, "ine_corrected": _ine_corrected,
             "responsable_replaced": _responsable_replaced, "groups": _groups, "pp": _pp,
             "service_added": _service_added, "service_removed": _service_removed,
             "link_level": _link_level, "link_added": _link_added}


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES)
# Two arrivals of one number: one élève, as a snapshot holds one an ELEVE_ID.
@example(changes=[("arrive", 0, 0), ("homonym", 0, 0), ("exit_passed", 2692, 0),
                  ("arrive", 487, 0)])
def test_the_proportional_plan_is_the_full_plan(
        applied: Applied,
        changes: list[tuple[str, int, int]]) -> None:
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    changed = _changed(snapshot, changes)
    assert compute_plan(changed, state, now=NOW, basis=basis) == compute_plan(
        changed, state, now=NOW)
    # And the basis each leaves for the next plan is the same.
    full = plan_and_basis(changed, state, now=NOW)
    assert plan_and_basis(changed, state, now=NOW, basis=basis)[1] == full[1]
    # Loading in full only the people the change can reach gives the same plan and basis.
    reduced, prepared = applied.reduced(changed)
    assert plan_and_basis(changed, reduced, now=NOW, basis=basis, prepared=prepared) == full
    # The facts made from each person's inputs are `desired_facts`'s, whoever has a key.
    for keys in ({ref: ref for ref in prepared.refs},
                 {ref: f"k{n}" for n, ref in enumerate(prepared.refs) if n % 3}):
        assert prepared_facts(changed, prepared, keys, set()) == desired_facts(changed, keys)
    # With the digests the import's chain gives (snapshot/memo.py: what the build took again
    # of the campaign the basis was planned on): the same plan and basis again.
    chain = chain_of(snapshot, changed, applied.staged_sha256)
    assert plan_and_basis(changed, state, now=NOW, basis=basis, chain=chain, staged="s") == (
        plan_and_basis(changed, state, now=NOW, staged="s"))


def chain_of(before: Snapshot, after: Snapshot, previous: str) -> Chain:
    """The chain an import of `after` would record, its build taking again what it could of
    `before`'s (staged as `previous`): each élève whose Eleve is the same, and the
    responsables when they and their links are (snapshot/memo.py)."""
    then = {eleve.eleve_id: eleve for eleve in before.eleves}
    return Chain(previous=previous,
                 eleves=frozenset(e.eleve_id for e in after.eleves if then.get(e.eleve_id) == e),
                 responsables=(before.responsables, before.guardianships) == (
                     after.responsables, after.guardianships))


def _leaving_on(snapshot: Snapshot, exits: list[int]) -> Snapshot:
    """Élèves leaving on days to come (DATE_SORTIE after NOW, within 200 days)."""
    for at in exits:
        index, eleve = _eleve_at(snapshot, at)
        snapshot = _with_eleve(snapshot, index, dataclasses.replace(
            eleve, exit_date=NOW.date() + timedelta(days=1 + at % 200)))
    return snapshot


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, exits=st.lists(st.integers(0, 10_000), max_size=3),
       days=st.sampled_from([0, 1, 30, 120, 300]))
def test_the_digests_a_chain_gives_are_the_digests(
        applied: Applied, changes: list[tuple[str, int, int]], exits: list[int],
        days: int) -> None:
    """A basis planned on a campaign (élèves in it leaving on days to come), then the campaign
    changed and planned on another day (those élèves gone, their responsables' children
    fewer): the digests taken from the basis by the chain are the ones computed, whatever
    the change, the day, the held records."""
    before = _leaving_on(applied.snapshot, exits)
    basis = plan_and_basis(before, applied.state, now=NOW, staged="before")[1]
    after, later = _changed(before, changes), NOW + timedelta(days=days)
    chain = chain_of(before, after, "before")
    chained = prepare(after, later, chain=chain, basis=basis, context=basis.context)
    assert chained.digests == prepare(after, later).digests
    if basis.people and not changes and not days:
        assert chained.chained == len(chained.refs) - len(after.staff)


def test_a_chain_to_another_campaign_or_rules_gives_no_digest(applied: Applied) -> None:
    """Each link of the chain is checked: the campaign the basis was planned on is the one
    the build took parts of (not another, not an older import's), the rules are the same,
    the basis says which élèves were present; else every digest is computed."""
    snapshot, basis = applied.snapshot, applied.basis
    chain = chain_of(snapshot, snapshot, applied.staged_sha256)
    context = basis.context
    assert len(chained_digests(snapshot, chain, basis, context, basis.present or frozenset())) \
        == len(basis.people) - len(snapshot.staff)
    present = basis.present or frozenset()
    for other_chain, other_basis, other_context in [
            (dataclasses.replace(chain, previous="autre"), basis, context),  # another campaign
            (chain, dataclasses.replace(basis, staged="autre"), context),
            (chain, basis, "autres règles"),  # another RULES_VERSION, holds, decisions
            (chain, dataclasses.replace(basis, present=None), context),  # an older basis
            (chain, dataclasses.replace(basis, staged=None), context),
            (None, basis, context), (chain, None, context)]:
        assert chained_digests(snapshot, other_chain, other_basis, other_context,
                               present) == {}
        prepared = prepare(snapshot, NOW, chain=other_chain, basis=other_basis,
                           context=other_context)
        assert prepared.chained == 0


def test_the_applied_campaign_is_settled_whole(
        applied: Applied) -> None:
    """The proportional path is taken: the campaign applied plans nothing, everyone settled."""
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    plan, again = plan_and_basis(snapshot, state, now=NOW, basis=basis,
                                 staged=applied.staged_sha256)
    assert plan.is_empty and again == basis
    assert len(basis.people) > 60
    assert set(_settled(snapshot, state, basis)) == set(basis.people)  # nobody weighed
    reduced, prepared = applied.reduced(snapshot)  # and nobody loaded in full
    assert reduced.people == () and len(reduced.unreached) == len(state.people)
    assert plan_and_basis(snapshot, reduced, now=NOW, basis=basis, prepared=prepared,
                          staged=applied.staged_sha256) == (plan, again)


def test_a_move_loads_and_builds_the_moved_only(applied: Applied) -> None:
    """A move changes nothing the matching reads: the moved élève keeps their account without
    being weighed (nor their responsables), and only they are loaded and built."""
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    moved = _move(snapshot, 3, 1)
    reduced, prepared = applied.reduced(moved)
    eleve = _eleve_at(snapshot, 3)[1]
    if eleve.division == _eleve_at(moved, 3)[1].division:
        moved = _move(snapshot, 3, 2)
        reduced, prepared = applied.reduced(moved)
    assert {person.key for person in reduced.people} == {f"eleve:{eleve.eleve_id}"}
    # Their facts and the structures' are loaded, no one else's.
    assert {subject for _kind, subject, _target, _detail in reduced.facts} == {
        f"eleve:{eleve.eleve_id}"} | {row[1] for row in state.facts if row[0] == "structure"}
    assert reduced.facts == {row for row in state.facts if row[0] == "structure"
                             or row[1] == f"eleve:{eleve.eleve_id}"}
    plan = plan_and_basis(moved, reduced, now=NOW, basis=basis, prepared=prepared)
    assert plan == plan_and_basis(moved, state, now=NOW)
    assert [action.kind.value for action in plan[0].actions if action.person_kind] == ["move"]
    assert prepared.built == 1


def test_a_move_desires_and_compares_the_moved_eleve_s_facts_only(applied: Applied) -> None:
    """Everyone else's facts are the directory's already: only the moved élève's (and the
    structures) are desired and compared; the plan is the full path's."""
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    index = next(n for n, e in enumerate(snapshot.eleves) if e.groups and e.division)
    eleve = snapshot.eleves[index]
    other = next(d.code for d in snapshot.divisions if d.code != eleve.division)
    moved = _with_eleve(snapshot, index, dataclasses.replace(eleve, division=other,
                                                             groups=eleve.groups[1:]))
    prepared = prepare(moved, NOW)
    settled = _settled(moved, state, basis)
    unchanged = facts_settled(prepared, basis, settled)  # type: ignore[arg-type]
    assert set(settled.values()) - unchanged == {f"eleve:{eleve.eleve_id}"}
    plan = plan_and_basis(moved, state, now=NOW, basis=basis)
    assert plan == plan_and_basis(moved, state, now=NOW)
    assert {(a.kind.value, a.fact.target) for a in plan[0].actions if a.fact} == {
        ("add", f"D:{other}"), ("remove", f"D:{eleve.division}"),
        ("remove", f"G:{eleve.groups[0]}")}


def test_the_facts_of_a_responsable_follow_each_child_of_their_links() -> None:
    """A responsable in charge of an élève who is not their child (a link, not legal):
    when that élève leaves, nothing of the responsable's record changes, and yet their
    guardian fact goes. Their facts are compared, not taken as the directory's."""
    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=3, size=40)
        snapshot = _applied(settings, uai).snapshot
        link = next(link for link in snapshot.guardianships if link.is_legal)
        theirs = {g.eleve_id for g in snapshot.guardianships
                  if g.personne_id == link.personne_id}
        at = next(n for n, e in enumerate(snapshot.eleves) if e.eleve_id not in theirs)
        eleve = snapshot.eleves[at]
        in_charge = dataclasses.replace(link, eleve_id=eleve.eleve_id,
                                        level=GuardianLevel.EN_CHARGE)
        linked = dataclasses.replace(snapshot,
                                     guardianships=(*snapshot.guardianships, in_charge))
        _apply_snapshot(settings, uai, linked)
        applied = _applied(settings, uai)
        left = _with_eleve(linked, at, None)
        full = compute_plan(left, applied.state, now=NOW)
        assert compute_plan(left, applied.state, now=NOW, basis=applied.basis) == full
        assert (f"responsable:{link.personne_id}", f"eleve:{eleve.eleve_id}") in {
            (a.fact.subject, a.fact.target) for a in full.actions
            if a.fact and a.kind.value == "remove"}
        # The élève renamed (weighed, the responsable's record unchanged): the responsable's
        # facts are compared, so loaded, even though the store loads them in part.
        renamed = _with_eleve(linked, at, dataclasses.replace(eleve, first_name="Zoé"))
        for changed in (left, renamed):
            reduced, prepared = applied.reduced(changed)
            assert f"responsable:{link.personne_id}" in {row[1] for row in reduced.facts}
            assert plan_and_basis(changed, reduced, now=NOW, basis=applied.basis,
                                  prepared=prepared) == plan_and_basis(changed, applied.state,
                                                                       now=NOW)


def test_a_fact_of_no_one_of_the_school_is_loaded_and_planned_as_in_full() -> None:
    """The store loads a proportional plan's facts but those of the settled people: a fact
    whose subject is no key of the school (nor a structure) is loaded all the same, and
    planned as the full path plans it (removed: no one desires it)."""
    from sqlalchemy import insert

    from bascule.store.schema import fact

    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=3, size=40)
        stray = ("member", "eleve:ailleurs", "D:6A", "")
        with open_store(settings.store_url).begin() as connection:
            connection.execute(insert(fact).values(uai=uai, school_year=2025, kind=stray[0],
                                                   subject=stray[1], target=stray[2],
                                                   detail=stray[3]))
        applied = _applied(settings, uai)
        moved = _move(applied.snapshot, 3, 1)
        reduced, prepared = applied.reduced(moved)
        assert reduced.unreached and stray in reduced.facts
        plan = plan_and_basis(moved, reduced, now=NOW, basis=applied.basis, prepared=prepared)
        assert plan == plan_and_basis(moved, applied.state, now=NOW)
        assert ("remove", "eleve:ailleurs") in {(a.kind.value, a.fact.subject)
                                                for a in plan[0].actions if a.fact}


def test_a_fact_kept_for_a_hold_is_compared_at_the_next_plan() -> None:
    """A responsable's guardian fact naming an élève held by hand is kept although not
    desired; the basis says so (`kept_facts`). Once the élève has left and the hold is over,
    the fact goes, though nothing of the responsable's record changed (a link that is not
    legal: their children are the same)."""
    from bascule.operations.holds import add_person_hold

    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=3, size=40)
        snapshot = _applied(settings, uai).snapshot
        link = next(link for link in snapshot.guardianships if link.is_legal)
        theirs = {g.eleve_id for g in snapshot.guardianships
                  if g.personne_id == link.personne_id}
        at = next(n for n, e in enumerate(snapshot.eleves) if e.eleve_id not in theirs)
        eleve = snapshot.eleves[at]
        linked = dataclasses.replace(snapshot, guardianships=(*snapshot.guardianships, (
            dataclasses.replace(link, eleve_id=eleve.eleve_id, level=GuardianLevel.EN_CHARGE))))
        _apply_snapshot(settings, uai, linked)
        add_person_hold(settings, uai, f"eleve:{eleve.eleve_id}", until=NOW.date(),
                        reason="test", by=None, actor="test", now=NOW)
        other = next(n for n in range(len(linked.eleves)) if n != at)
        _apply_snapshot(settings, uai, _move(linked, other, 1))  # applied, the élève held
        applied = _applied(settings, uai)
        responsable = f"responsable:{link.personne_id}"
        assert applied.basis.people[responsable][0].endswith("-" * 16)
        left, later = _with_eleve(applied.snapshot, at, None), NOW + timedelta(days=3)
        # Nor does a chain give that digest: it is no digest of their inputs.
        chain = chain_of(applied.snapshot, applied.snapshot, applied.staged_sha256)
        chained = prepare(applied.snapshot, later, chain=chain, basis=applied.basis,
                          context=applied.basis.context)
        assert chained.chained and chained.digests == prepare(applied.snapshot, later).digests
        full = compute_plan(left, applied.state, now=later)
        assert compute_plan(left, applied.state, now=later, basis=applied.basis) == full
        assert (responsable, f"eleve:{eleve.eleve_id}") in {
            (a.fact.subject, a.fact.target) for a in full.actions
            if a.fact and a.kind.value == "remove"}


def test_a_record_held_then_mended_is_weighed_again() -> None:
    """A faulty record carrying an élève's INE freezes their account: their own record is
    given another one. Once the record is mended, the full path finds two accounts for
    them and holds them for review; the next plan must not settle them on the new account
    (which disabled the first: the proportional path did so before)."""
    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=3, size=40)
        snapshot = _applied(settings, uai).snapshot
        linked = {link.eleve_id for link in snapshot.guardianships if link.is_legal}
        at = next(n for n, e in enumerate(snapshot.eleves) if e.ine and e.eleve_id in linked)
        _apply_snapshot(settings, uai, _held_record(snapshot, at, 2))
        mended = _applied(settings, uai)
        assert mended.basis.people == {}  # the accounts frozen: the next plan in full
        full = compute_plan(snapshot, mended.state, now=NOW)
        assert compute_plan(snapshot, mended.state, now=NOW, basis=mended.basis) == full
        ref = f"eleve:{snapshot.eleves[at].eleve_id}"
        assert [case.person for case in full.reviews] == [ref]
        assert not [a for a in full.actions if a.person.startswith(ref)]
        _apply_snapshot(settings, uai, snapshot)  # planned as bascule plans it: the same


def test_a_renamed_eleve_is_weighed_with_their_responsables(applied: Applied) -> None:
    """A new name is read by the matching: the élève is weighed, their responsables with them
    (their children's accounts are evidence), and those they could be are loaded."""
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    renamed = _rename(snapshot, 3, 1)
    reduced, prepared = applied.reduced(renamed)
    eleve = _eleve_at(snapshot, 3)[1]
    loaded = {person.key for person in reduced.people}
    assert f"eleve:{eleve.eleve_id}" in loaded and len(loaded) < len(state.people) // 10
    assert plan_and_basis(renamed, reduced, now=NOW, basis=basis, prepared=prepared) == (
        plan_and_basis(renamed, state, now=NOW))
    parents = {link.personne_id for link in snapshot.guardianships
               if link.eleve_id == eleve.eleve_id and link.is_legal}
    assert 1 + len(parents) <= prepared.built < len(prepared.refs) // 10


def test_an_ine_worn_twice_leaves_both_accounts_as_they_are_on_every_path(
        applied: Applied) -> None:
    """An élève given another's INE: both held, neither account disabled nor updated (the
    newcomer trial's LÉGER Clément), whether the plan is proportional, loaded in part, or
    full; the plan lists each record and each account, and sends to Siècle-BEE, not to the
    review."""
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    (wearer, other) = [e for e in snapshot.eleves if e.ine][3:5]
    changed = _shared_ine(snapshot, snapshot.eleves.index(wearer), snapshot.eleves.index(other))
    full = plan_and_basis(changed, state, now=NOW)
    reduced, prepared = applied.reduced(changed)
    assert plan_and_basis(changed, state, now=NOW, basis=basis) == full
    assert plan_and_basis(changed, reduced, now=NOW, basis=basis, prepared=prepared) == full
    plan = full[0]
    keys = {f"eleve:{wearer.eleve_id}", f"eleve:{other.eleve_id}"}
    assert not [a for a in plan.actions if a.person in keys]
    assert {h.key for h in plan.held if h.known} == keys  # the accounts, held
    assert {h.key: h.accounts for h in plan.held if not h.known} == {  # the records, in doubt
        f"eleve:{wearer.eleve_id}": (f"eleve:{wearer.eleve_id}",),
        f"eleve:{other.eleve_id}": tuple(sorted(keys))}
    assert all("Siècle-BEE" in h.hint for h in plan.held) and not plan.reviews


def test_a_state_loaded_in_part_is_never_planned_without_its_basis(applied: Applied) -> None:
    reduced, _prepared = applied.reduced(_move(applied.snapshot, 3, 1))
    with pytest.raises(ValueError):
        plan_and_basis(applied.snapshot, reduced, now=NOW)


def test_a_basis_of_other_rules_is_not_used(
        applied: Applied) -> None:
    snapshot, state, basis = applied.snapshot, applied.state, applied.basis
    moved = _move(snapshot, 3, 1)
    foreign = dataclasses.replace(basis, context="autre")
    assert _settled(moved, state, basis)  # the right basis settles people...
    assert _settled(moved, state, foreign) == {}  # ...another rules' settles no one
    assert compute_plan(moved, state, now=NOW, basis=foreign) == compute_plan(
        moved, state, now=NOW)


def _settled(snapshot: Snapshot, state: StoreState, basis: Basis) -> dict[str, object]:
    """Who the basis settles for this campaign, as plan_and_basis asks it."""
    prepared = prepare(snapshot, NOW)
    context = plan_and_basis(snapshot, state, now=NOW, basis=basis)[1].context
    refs = list(prepared.refs)
    return dict(settle(prepared, refs, settled_people(
        prepared, basis, context, state.people, state.unreached, frozen=()),
        list(state.people), MatchContext(children=state.children, services=state.services)))


def test_a_random_walk_of_applied_changes_stays_equal() -> None:
    """Applied one after another through the store: each plan, proportional, equals the full
    plan of the same directory."""
    rng = random.Random(22)
    with tempfile.TemporaryDirectory() as folder:
        settings, uai = _rolled_over(Path(folder), seed=3, size=40)
        for _step in range(4):
            applied = _applied(settings, uai)
            changes = [(rng.choice(sorted(_CHANGERS)), rng.randrange(10_000),
                        rng.randrange(10_000)) for _ in range(3)]
            changed = _changed(applied.snapshot, changes)
            full = compute_plan(changed, applied.state, now=NOW)
            assert compute_plan(changed, applied.state, now=NOW, basis=applied.basis) == full, \
                changes
            _apply_snapshot(settings, uai, changed)


def _apply_snapshot(settings: Settings, uai: str, snapshot: Snapshot) -> None:
    """Stage a changed campaign as an import would, then plan and apply it."""
    from bascule.store.staging import stage_snapshot

    engine = open_store(settings.store_url)
    stage_snapshot(engine, snapshot, NOW, [])
    needed = campaign.plan_needed(engine, uai, campaign.latest_staged_sha256(engine, uai),
                                  now=NOW)
    plan = campaign.plan_campaign(settings, uai, now=NOW)
    if needed:  # the plan computed as bascule does (in part), against the full path's
        _staged, state = campaign.staged_and_state(engine, settings, uai)
        assert plan == compute_plan(snapshot, state, now=NOW)
    if not plan.is_empty:
        campaign.apply_saved_plan(settings, uai, now=NOW, actor="test",
                                  allow_mass_leave=True, mass_leave_reason="test")


def two_rolled_over(root: Path, store_url: str | None = None) -> tuple[Settings, list[Applied]]:
    """Two generated collèges of one folder (its store at `store_url`, else SQLite), each
    rolled over once."""
    colleges = generate_campaigns(root / "exports", colleges=2, seed=5, year=2025, size=40)
    for college in colleges:
        settings, _ = init_home(root / "home", college.uai, college.name)
    if store_url is not None:
        with (root / "home" / "bascule.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[store]\nurl = "{store_url}"\n')
        settings = load_settings(root / "home")
    for college in colleges:
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, college.uai, now=NOW)
        campaign.apply_saved_plan(settings, college.uai, now=NOW, actor="test")
    return settings, [_applied(settings, college.uai) for college in colleges]


def test_an_eleve_arriving_from_another_school_is_reached_and_transferred() -> None:
    """Two collèges of one folder: an élève leaves one for the other. The plan of the second,
    loaded in part (its basis holds), finds them by their INE and transfers their account,
    as the full path does."""
    from bascule.store.staging import stage_snapshot

    with tempfile.TemporaryDirectory() as folder:
        settings, (left, arrived) = two_rolled_over(Path(folder))
        index, eleve = next((i, e) for i, e in enumerate(left.snapshot.eleves) if e.ine)
        _apply_snapshot(settings, left.snapshot.uai, _with_eleve(left.snapshot, index, None))
        newcomer = dataclasses.replace(eleve, eleve_id="9999999", elenoet=None,
                                       division=arrived.snapshot.divisions[0].code)
        snapshot = dataclasses.replace(arrived.snapshot,
                                       eleves=(*arrived.snapshot.eleves, newcomer))
        engine = open_store(settings.store_url)
        stage_snapshot(engine, snapshot, NOW, [])
        plan = campaign.plan_campaign(settings, snapshot.uai, now=NOW)
        assert [a.kind.value for a in plan.actions
                if a.label == f"{eleve.last_name} {eleve.first_name}"][:1] == ["transfer"]
        _staged, state = campaign.staged_and_state(engine, settings, snapshot.uai)
        assert plan == compute_plan(snapshot, state, now=NOW)
        reduced = campaign.staged_for_plan(engine, settings, snapshot.uai, _options(settings,
                                                                                   snapshot.uai),
                                           now=NOW)[1]
        assert reduced.unreached and len(reduced.elsewhere) == 1


def _options(settings: Settings, uai: str) -> PlanOptions:
    return PlanOptions(thresholds=settings.thresholds_of(uai),
                       login_follows_name_change=settings.login_follows_name_change)


def _any_value(record: object, field: str) -> st.SearchStrategy[Any]:
    """Another value for a record's field, of the field's type."""
    hint = typing.get_type_hints(type(record))[field]
    kinds = typing.get_args(hint) or (hint,)
    values: list[st.SearchStrategy[Any]] = [st.none()] if type(None) in kinds else []
    for kind in kinds:
        if kind is date:
            values.append(st.dates(date(2008, 1, 1), date(2026, 1, 1)))
        elif kind is str:
            values.append(st.sampled_from(["", "A", "Zoé", "0860999U", "12345"]))
        elif kind is bool:
            values.append(st.booleans())
        elif typing.get_origin(kind) is tuple:
            values.append(st.lists(st.sampled_from(["A", "B", "6A"]), max_size=2).map(tuple))
        elif isinstance(kind, type) and issubclass(kind, Enum):
            values.append(st.sampled_from(list(kind)))
        elif kind is StaffKey:
            values.append(st.builds(StaffKey, source=st.sampled_from(["epp", "local", "csv"]),
                                    staff_id=st.sampled_from(["1", "2"])))
    return st.one_of(values) if values else st.just(getattr(record, field))


@hypothesis_settings(max_examples=20, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), which=st.sampled_from(["eleves", "staff", "responsables"]),
       at=st.integers(0, 10_000))
def test_a_person_built_otherwise_has_another_digest(applied: Applied, data: st.DataObject,
                                                      which: str, at: int) -> None:
    """Two records of one ref whose desired people differ never share a digest: the digest
    covers whatever the desired person is built from (plan/prepared.py); two that read the
    same to the matching share its matched half. Each field of a record changed in turn. And
    the prepared people are `desired_people`'s, with `person_digest`'s digests."""
    snapshot = applied.snapshot
    before = prepare(snapshot, NOW)
    index = at % len(getattr(snapshot, which))
    record = getattr(snapshot, which)[index]
    for field, changed in [*_each_field_changed(snapshot, which, index, data),
                           *_links_changed(snapshot, record)]:
        after = prepare(changed, NOW)
        assert after.desired == desired_people(changed, NOW.date())
        assert after.digests == {ref: person_digest(inputs)
                                 for ref, inputs in after.inputs.items()}
        for ref in before.refs & after.refs:
            if before.person(ref) != after.person(ref):
                assert before.digests[ref] != after.digests[ref], field
            # Nor two whose facts differ, for the same keys (their children's included).
            if _facts_of(before, ref) != _facts_of(after, ref):
                assert before.digests[ref] != after.digests[ref], field
            if matched_part(before.digests[ref]) == matched_part(after.digests[ref]):
                assert _matched(before.person(ref)) == _matched(after.person(ref)), field


def _each_field_changed(snapshot: Snapshot, which: str, index: int,
                        data: st.DataObject) -> list[tuple[str, Snapshot]]:
    record = getattr(snapshot, which)[index]
    changes = []
    for field in (f.name for f in dataclasses.fields(record)):
        records = list(getattr(snapshot, which))
        records[index] = dataclasses.replace(
            record, **{field: data.draw(_any_value(record, field), label=field)})
        changes.append((field, dataclasses.replace(snapshot, **{which: tuple(records)})))
    return changes


def _links_changed(snapshot: Snapshot, record: object) -> list[tuple[str, Snapshot]]:
    """What a staff member teaches and heads, and a responsable's links, come from other
    records."""
    if isinstance(record, Staff):
        service = Service(teacher=record.key, structure_code=snapshot.divisions[0].code,
                          structure_kind=StructureKind.DIVISION, subject_code="999999",
                          mod_cours=None)
        group = Service(teacher=record.key, structure_code=snapshot.divisions[0].code,
                        structure_kind=StructureKind.GROUPE, subject_code="999999",
                        mod_cours=None)
        pp = ProfPrincipal(teacher=record.key, division=snapshot.divisions[-1].code)
        return [("services", dataclasses.replace(
            snapshot, services=(*snapshot.services, service))),
            ("a group's service", dataclasses.replace(
                snapshot, services=(*snapshot.services, group))),
            ("pp", dataclasses.replace(
                snapshot, profs_principaux=(*snapshot.profs_principaux, pp)))]
    if isinstance(record, Responsable):
        mine = [link for link in snapshot.guardianships
                if link.personne_id == record.personne_id]
        others = tuple(link for link in snapshot.guardianships if link not in mine)
        changes = [("guardianships", dataclasses.replace(
            snapshot, guardianships=others + tuple(mine[1:])))]
        for level in GuardianLevel:
            changes += [(f"level {level.name}", dataclasses.replace(
                snapshot, guardianships=others + tuple(
                    dataclasses.replace(link, level=level) if n == 0 else link
                    for n, link in enumerate(mine))))]
        return changes
    return []


def _facts_of(prepared: Prepared, ref: str) -> set[tuple[str, str, str, str]]:
    """The facts of which `ref` is the subject, each ref its own key."""
    return set(person_facts(prepared.inputs[ref], ref, {ref: ref for ref in prepared.refs}))


def _matched(person: DesiredPerson) -> tuple[object, ...]:
    """What plan/matching.py and plan/evidence.py read of a desired person to decide who they
    are: two records of one ref with the same matched digest must agree on it."""
    identity = person.identity
    return (person.ref, person.kind, person.source_ids, person.foreign_elenoet,
            identity.last_name, identity.birth_name, identity.first_name, identity.birth_date,
            person.services, person.children)
