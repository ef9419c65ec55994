"""The deletion breaker: 10 % of unexpected departures trip it, departures add up from one
apply to the next, and its override is journaled with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.cli.test_rollover import _drop_eleves, _plan
from tests.conftest import Cli


@pytest.fixture
def college(tmp_path: Path) -> GeneratedCollege:
    (made,) = generate_campaigns(tmp_path / "exports", seed=11, year=2025, size=200)
    return made


@pytest.fixture
def applied(cli: Cli, college: GeneratedCollege) -> Cli:
    cli("init", "--uai", college.uai, "--name", "Collège")
    assert cli("import", college.folders[0]).exit_code == 0
    _plan(cli)
    assert cli("apply", "--yes").exit_code == 0
    return cli


def _truncated(college: GeneratedCollege, folder: Path, keep: float) -> Path:
    """The same year's exports, the élèves export missing its last (1 - keep) élèves."""
    folder.mkdir()
    for path in college.folders[0].iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    _drop_eleves(folder / "ExportXML_ElevesSansAdresses.zip", keep=keep)
    return folder


def _eleve_leave(plan: dict[str, object]) -> dict[str, int] | None:
    leaves = [m for m in plan["mass_leaves"] if m["profile"] == "eleve"]  # type: ignore
    return leaves[0] if leaves else None


def test_ten_percent_of_the_eleves_missing_trips_the_breaker(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    assert applied("import", _truncated(college, tmp_path / "t", keep=0.9)).exit_code == 0
    leave = _eleve_leave(_plan(applied))
    assert leave is not None and leave["unexpected"] * 10 >= leave["active"]
    # The plan's last line gives the command that apply takes, not one it refuses.
    said = " ".join(applied("plan").stdout.split())
    assert said.endswith('--allow-mass-leave --reason "départs vérifiés avec le secrétariat"')
    refused = applied("apply", "--yes")
    assert refused.exit_code == 1 and "désactiverait trop de comptes" in refused.stderr
    assert "--reason" in refused.stderr


def test_two_losses_a_week_apart_add_up(applied: Cli, college: GeneratedCollege,
                                        tmp_path: Path) -> None:
    assert applied("import", _truncated(college, tmp_path / "a", keep=0.94)).exit_code == 0
    assert _eleve_leave(_plan(applied, "--at", "2025-10-01T10:00")) is None
    assert applied("apply", "--yes", "--at", "2025-10-01T10:00").exit_code == 0
    assert applied("import", _truncated(college, tmp_path / "b", keep=0.88)).exit_code == 0
    leave = _eleve_leave(_plan(applied, "--at", "2025-10-08T10:00"))
    assert leave is not None  # this plan alone loses 6 %; with last week's, 12 %
    assert applied("apply", "--yes", "--at", "2025-10-08T10:00").exit_code == 1


def test_the_override_needs_a_reason_journaled_and_starts_a_new_reference(
        applied: Cli, college: GeneratedCollege, tmp_path: Path) -> None:
    assert applied("import", _truncated(college, tmp_path / "a", keep=0.85)).exit_code == 0
    assert _eleve_leave(_plan(applied)) is not None
    no_reason = applied("apply", "--yes", "--allow-mass-leave")
    assert no_reason.exit_code == 1 and "demande la raison" in no_reason.stderr
    done = applied("apply", "--yes", "--allow-mass-leave", "--reason", "fermeture de la SEGPA")
    assert done.exit_code == 0, done.output
    journal = json.loads(applied("audit", "--json", "--action", "mass_leave_confirmed").stdout)
    assert [entry["detail"]["motif"] for entry in journal] == ["fermeture de la SEGPA"]
    shown = applied("audit", "--action", "mass_leave_confirmed")  # what a person reads
    assert "raison : fermeture de la SEGPA" in shown.stdout, shown.stdout
    assert applied("import", _truncated(college, tmp_path / "b", keep=0.80)).exit_code == 0
    assert _eleve_leave(_plan(applied)) is None  # 6 % of what was left: under the threshold
