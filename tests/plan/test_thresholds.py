"""The safety thresholds table (plan/safety.py): one row per action and profile, a share of
the profile's active accounts and a count; the night holds a plan beyond them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bascule.domain.school import SchoolYear
from bascule.errors import UserError
from bascule.plan.model import Action, ActionKind, MassLeave, Plan, PlanPurpose
from bascule.plan.safety import exceeded_thresholds
from bascule.plan.thresholds import Threshold, Thresholds
from bascule.settings import init_home, load_settings


def plan(*counts: tuple[ActionKind, str, int], leaves: tuple[MassLeave, ...] = (),
         purpose: PlanPurpose = PlanPurpose.CAMPAIGN) -> Plan:
    actions = tuple(Action(kind=kind, person=f"{profile}:{n}", profile=profile, label="X")
                    for kind, profile, count in counts for n in range(count))
    return Plan(uai="0860999U", school_year=SchoolYear(2026), computed_at=datetime.now(UTC),
                state_fingerprint="", actions=actions, mass_leaves=leaves, purpose=purpose)


def test_updates_within_the_default_share_pass() -> None:
    assert exceeded_thresholds(plan((ActionKind.UPDATE, "eleve", 75)), {"eleve": 100},
                               Thresholds()) == ()


def test_updates_beyond_75_percent_are_held_with_a_reason_in_french() -> None:
    (found,) = exceeded_thresholds(plan((ActionKind.UPDATE, "eleve", 76)), {"eleve": 100},
                                   Thresholds())
    assert found.reason == ("76 comptes « élève » mis à jour sur 100 actifs, au-delà du seuil "
                            "(75 % et 20 comptes)")


def test_a_small_profile_is_not_held_below_the_count() -> None:
    assert exceeded_thresholds(plan((ActionKind.MOVE, "enseignant", 4)), {"enseignant": 4},
                               Thresholds()) == ()


def test_a_first_import_creates_without_being_held() -> None:
    assert exceeded_thresholds(plan((ActionKind.CREATE, "eleve", 600)), {}, Thresholds()) == ()


def test_creations_beyond_half_the_profile_are_held() -> None:
    (found,) = exceeded_thresholds(plan((ActionKind.CREATE, "eleve", 60)), {"eleve": 100},
                                   Thresholds())
    assert found.kind is ActionKind.CREATE


def test_disables_are_the_breakers_mass_leaves() -> None:
    leave = MassLeave(profile="eleve", unexpected=18, active=40)
    (found,) = exceeded_thresholds(plan((ActionKind.DISABLE, "eleve", 25), leaves=(leave,)),
                                   {"eleve": 40}, Thresholds())
    assert "18 comptes « élève » désactivés hors départs attendus sur 40 actifs" in found.reason


def test_a_vanishing_profile_is_always_held() -> None:
    permissive = Thresholds(rows={**Thresholds().rows,
                                  ActionKind.DISABLE: Threshold(percent=100, count=5)})
    (found,) = exceeded_thresholds(plan((ActionKind.DISABLE, "enseignant", 30)),
                                   {"enseignant": 30}, permissive)
    assert found.threshold is None and "export est vide ou incomplet" in found.reason


def test_the_calendars_deletions_are_not_counted() -> None:
    deletions = plan((ActionKind.DELETE, "eleve", 150), purpose=PlanPurpose.LIFECYCLE)
    assert exceeded_thresholds(deletions, {"eleve": 400}, Thresholds()) == ()


def test_a_profile_row_overrides_the_action_row() -> None:
    table = Thresholds(by_profile={(ActionKind.UPDATE, "responsable"): Threshold(90, 20)})
    assert exceeded_thresholds(plan((ActionKind.UPDATE, "responsable", 80)),
                               {"responsable": 100}, table) == ()


def test_bascule_toml_overrides_per_folder_profile_and_school(tmp_path: Path) -> None:
    init_home(tmp_path, "0860999U", "Collège")
    config = tmp_path / "bascule.toml"
    config.write_text(config.read_text() + """
[accounts]
mass_leave_percent = 15
[thresholds.update]
percent = 60
[thresholds.update.responsable]
percent = 95
[schools."0860999U".thresholds.move]
count = 100
""")
    settings = load_settings(tmp_path)
    table = settings.thresholds_of("0860999U")
    assert table.of(ActionKind.UPDATE, "eleve") == Threshold(60, 20)
    assert table.of(ActionKind.UPDATE, "responsable") == Threshold(95, 20)
    assert table.of(ActionKind.MOVE, "eleve") == Threshold(90, 100)
    assert table.of(ActionKind.DISABLE, "eleve") == Threshold(15, 5)
    assert settings.thresholds.of(ActionKind.MOVE, "eleve") == Threshold(90, 20)


def test_a_wrong_threshold_names_its_place(tmp_path: Path) -> None:
    init_home(tmp_path, "0860999U", "Collège")
    config = tmp_path / "bascule.toml"
    config.write_text(config.read_text() + '\n[thresholds.renommer]\npercent = 5\n')
    with pytest.raises(UserError, match=r"\[thresholds.renommer\] mal écrit"):
        load_settings(tmp_path)
