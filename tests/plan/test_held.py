"""Held people: a faulty record leaves its person exactly as they are, listed in the plan."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.logins import LoginKind, LoginRegistry
from bascule.domain.people import GuardianLevel
from bascule.domain.school import SchoolYear
from bascule.errors import Location
from bascule.plan.compute import compute_plan
from bascule.plan.model import (
    Account,
    AccountStatus,
    ActionKind,
    FactRow,
    Identity,
    KnownPerson,
    PersonKind,
    SourceId,
    StoreState,
)
from bascule.snapshot.model import (
    Eleve,
    Guardianship,
    HeldRecord,
    Responsable,
    Snapshot,
    Treatment,
)

NOW = datetime(2026, 9, 1, 8, tzinfo=UTC)
WHERE = Location(file="ElevesSansAdresses.xml", line=11, record="élève 1")


def _eleve(eleve_id: str, division: str = "5A", birth: date | None = date(2014, 3, 14),
           first: str = "Léa") -> Eleve:
    return Eleve(eleve_id=eleve_id, elenoet=None, ine=None, ine_rnie=None, ine_bea=None,
                 last_name="MARTIN", birth_name="MARTIN", first_name=first,
                 other_first_names=(), birth_date=birth, sex=None, mef=None, division=division,
                 groups=(), subjects=(), entry_date=None, exit_date=None, inactive_reason=None)


def _held(eleve_id: str, treatment: Treatment = Treatment.HOLD,
          other_ids: tuple[tuple[str, str], ...] = ()) -> HeldRecord:
    return HeldRecord(kind=PersonKind.ELEVE, person_id=eleve_id, other_ids=other_ids,
                      label="MARTIN Léa", treatment=treatment,
                      reason="DATE_SORTIE « 31/02/2026 » n'est pas une date",
                      hint="Corrigez la fiche dans Siècle-BEE.", location=WHERE,
                      field="DATE_SORTIE")


def _snapshot(eleves: tuple[Eleve, ...], held: tuple[HeldRecord, ...] = (),
              **more: object) -> Snapshot:
    snapshot = Snapshot(uai="0860999U", school_year=SchoolYear(2026), export_date=None,
                        sources=(), eleves=eleves, responsables=(), guardianships=(), staff=(),
                        divisions=(), groups=(), services=(), profs_principaux=(), subjects=(),
                        mefs=(), held=held)
    return dataclasses.replace(snapshot, **more)  # type: ignore[arg-type]


def _known(key: str, kind: PersonKind, ids: set[SourceId], profile: str,
           first: str = "Léa") -> KnownPerson:
    return KnownPerson(
        key=key, kind=kind, source_ids=frozenset(ids),
        identity=Identity(last_name="MARTIN", birth_name="MARTIN", first_name=first,
                          birth_date=date(2014, 3, 14), email=None, function=None,
                          profile=profile),
        account=Account(logins=((LoginKind.NETWORK, key.split(":")[1]),),
                        status=AccountStatus.ACTIVE, status_since=NOW - timedelta(days=300)))


def _state(*people: KnownPerson, facts: frozenset[FactRow] = frozenset()) -> StoreState:
    registries = {kind: LoginRegistry(holdings={}, quarantine=timedelta(days=365))
                  for kind in LoginKind}
    return StoreState(uai="0860999U", people=people, registries=registries, facts=facts,
                      fingerprint="0:x", divisions={"eleve:lea": "6A"})


LEA = _known("eleve:lea", PersonKind.ELEVE, {SourceId("eleve_id", "1")}, "eleve")


def test_a_held_known_eleve_is_neither_disabled_moved_nor_updated_and_is_listed() -> None:
    plan = compute_plan(_snapshot((), (_held("1"),)), _state(LEA), now=NOW)
    assert [a for a in plan.actions if a.person == "eleve:lea"] == []
    (held,) = plan.held
    assert (held.key, held.known, held.location) == ("eleve:lea", True, WHERE)
    assert "DATE_SORTIE" in held.reason and held.hint


def test_a_held_record_names_its_person_by_another_id_when_its_own_is_missing() -> None:
    lea = _known("eleve:lea", PersonKind.ELEVE, {SourceId("ine", "1234567890A")}, "eleve")
    plan = compute_plan(_snapshot((), (_held("", other_ids=(("ine", "1234567890A"),)),)),
                        _state(lea), now=NOW)
    assert plan.actions == () and [h.key for h in plan.held] == ["eleve:lea"]


def test_a_held_eleve_s_facts_stay_as_they_are() -> None:
    facts = frozenset({("member", "eleve:lea", "D:6A", "")})
    plan = compute_plan(_snapshot((), (_held("1"),)), _state(LEA, facts=facts), now=NOW)
    assert not [a for a in plan.actions if a.kind is ActionKind.REMOVE]


def test_a_new_person_held_is_listed_and_not_created() -> None:
    plan = compute_plan(_snapshot((), (_held("9"),)), _state(), now=NOW)
    assert plan.actions == ()
    (held,) = plan.held
    assert (held.key, held.known) == ("eleve:9", False)


def test_a_new_eleve_without_the_faulty_field_is_created_without_it() -> None:
    record = _held("9", Treatment.WITHOUT_FIELD)
    plan = compute_plan(_snapshot((_eleve("9", birth=None),), (record,)), _state(), now=NOW)
    (create,) = [a for a in plan.actions if a.kind is ActionKind.CREATE]
    assert create.identity is not None and create.identity.birth_date is None
    assert plan.held == ()


def test_a_known_eleve_whose_record_lacks_a_field_is_held_not_updated() -> None:
    record = _held("1", Treatment.WITHOUT_FIELD)
    plan = compute_plan(_snapshot((_eleve("1", birth=None),), (record,)), _state(LEA), now=NOW)
    assert [a for a in plan.actions if a.person == "eleve:lea"] == []
    assert [h.key for h in plan.held] == ["eleve:lea"]


def test_the_parent_of_a_held_child_is_not_taken_for_a_leaver() -> None:
    parent = _known("responsable:paul", PersonKind.RESPONSABLE,
                    {SourceId("personne_id", "7")}, "responsable")
    snapshot = _snapshot((), (_held("1"),), responsables=(Responsable(
        personne_id="7", last_name="MARTIN", birth_name=None, first_name="Léa", civility=None,
        email=None),), guardianships=(Guardianship(eleve_id="1", personne_id="7",
                                                    level=GuardianLevel.LEGAL, parente=None),))
    plan = compute_plan(snapshot, _state(LEA, parent), now=NOW)
    assert not [a for a in plan.actions if a.kind is ActionKind.DISABLE]


def test_a_set_aside_link_protects_the_person_it_names_only_when_absent_otherwise() -> None:
    link = _held("1", Treatment.SET_ASIDE)
    absent = compute_plan(_snapshot((), (link,)), _state(LEA), now=NOW)
    assert not [a for a in absent.actions if a.kind is ActionKind.DISABLE]
    present = compute_plan(_snapshot((_eleve("1"),), (link,)), _state(LEA), now=NOW)
    assert [a.kind for a in present.actions
            if a.person == "eleve:lea" and a.fact is None] == [ActionKind.MOVE]
    assert present.held == ()


@given(
    ids=st.lists(st.sampled_from("123456789"), min_size=1, max_size=9, unique=True),
    data=st.data(),
)
def test_a_person_present_in_the_export_is_never_disabled(ids: list[str],
                                                          data: st.DataObject) -> None:
    """Whatever records are listed, held (any treatment) or absent, and whoever the directory
    knows: only people the export does not name at all are disabled."""
    listed = data.draw(st.sets(st.sampled_from(ids)))
    held = data.draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(list(Treatment))))
    known = data.draw(st.sets(st.sampled_from(ids), min_size=1))
    snapshot = _snapshot(
        tuple(_eleve(i, first=f"Prénom{i}", birth=None if held.get(i) is Treatment.WITHOUT_FIELD
                     else date(2014, 3, 14)) for i in sorted(listed)),
        tuple(_held(i, treatment) for i, treatment in sorted(held.items())))
    people = tuple(_known(f"eleve:k{i}", PersonKind.ELEVE, {SourceId("eleve_id", i)}, "eleve",
                          first=f"Prénom{i}") for i in sorted(known))
    plan = compute_plan(snapshot, _state(*people), now=NOW)
    disabled = {a.person for a in plan.actions if a.kind is ActionKind.DISABLE}
    assert disabled == {f"eleve:k{i}" for i in known - listed - set(held)}
    changed = {a.person for a in plan.actions if a.fact is None}
    kept = {f"eleve:k{i}" for i, t in held.items() if i in known and t is not Treatment.SET_ASIDE}
    assert not changed & kept
