"""The groups' difference on a person's account action, and a plan's difference rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bascule.domain.logins import LoginKind
from bascule.domain.school import SchoolYear
from bascule.plan.differences import difference_rows, groups_of, with_groups
from bascule.plan.model import Action, ActionKind, Fact, FieldChange, Identity, Plan, SourceId


def _action(kind: ActionKind, person: str = "eleve:1", *changes: FieldChange) -> Action:
    return Action(kind=kind, person=person, profile="eleve", label="MARTIN Léa", changes=changes)


def test_groups_are_read_from_memberships_of_groups_only() -> None:
    facts = [("member", "eleve:1", "G:5ESP 1", ""), ("member", "eleve:1", "D:5A", ""),
             ("member", "eleve:1", "G:LATIN", ""), ("service", "staff:1", "G:LATIN", "X")]
    assert groups_of(facts) == {"eleve:1": frozenset({"5ESP 1", "LATIN"})}


def test_a_groups_change_goes_on_the_update_before_the_move_and_only_once() -> None:
    move = _action(ActionKind.MOVE, "eleve:1", FieldChange("division", "6A", "5A"))
    update = _action(ActionKind.UPDATE, "eleve:1", FieldChange("last_name", "A", "B"))
    same = _action(ActionKind.MOVE, "eleve:2", FieldChange("division", "6A", "5A"))
    actions = with_groups([move, update, same],
                          {"eleve:1": frozenset({"6LV1"}), "eleve:2": frozenset({"X"})},
                          {"eleve:1": frozenset({"5ESP 1", "5LAT"}), "eleve:2": frozenset({"X"})})
    assert actions[0] == move
    assert actions[1].changes[-1] == FieldChange("groups", "6LV1", "5ESP 1, 5LAT")
    assert actions[2] == same  # the same groups: nothing added


def test_a_creation_shows_what_it_gives_and_facts_are_none() -> None:
    """A creation's rows: each field it gives the new account, "" -> value (newcomer 11: a
    name and a login only, no birth date for the principal to check)."""
    created = Action(kind=ActionKind.CREATE, person="eleve:3", profile="eleve",
                     label="MARTIN Léa", division="6A",
                     identity=Identity(last_name="MARTIN", birth_name=None, first_name="Léa",
                                       birth_date=date(2014, 3, 14), email=None, function=None,
                                       profile="eleve"),
                     logins=((LoginKind.NETWORK, "lmartin"), (LoginKind.EDUCONNECT, "l.martin")),
                     source_ids=(SourceId("ine", "1234567890A"),))
    plan = Plan(uai="0860999U", school_year=SchoolYear(2026), computed_at=datetime.now(UTC),
                state_fingerprint="0:x", actions=(
                    created,
                    _action(ActionKind.UPDATE, "eleve:1", FieldChange("last_name", "A", "B"),
                            FieldChange("first_name", "C", "D")),
                    _action(ActionKind.REACTIVATE, "eleve:2"),
                    Action(kind=ActionKind.ADD, person="eleve:1", profile="member",
                           label="D:5A", fact=Fact("member", "eleve:1", "D:5A"))))
    rows = [(r.action.person, r.change) for r in difference_rows(plan)]
    assert rows == [
        ("eleve:3", FieldChange("last_name", "", "MARTIN")),
        ("eleve:3", FieldChange("first_name", "", "Léa")),
        ("eleve:3", FieldChange("birth_date", "", "2014-03-14")),
        ("eleve:3", FieldChange("profile", "", "eleve")),
        ("eleve:3", FieldChange("division", "", "6A")),
        ("eleve:3", FieldChange("login pnom", "", "lmartin")),
        ("eleve:3", FieldChange("login p.nom", "", "l.martin")),
        ("eleve:3", FieldChange("source_id", "", "ine:1234567890A")),
        ("eleve:1", FieldChange("last_name", "A", "B")),
        ("eleve:1", FieldChange("first_name", "C", "D")),
        ("eleve:2", None)]

