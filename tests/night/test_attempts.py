"""A school's night worked again after its worker died (issue 21): the report keeps what the
earlier attempt did, once."""

from __future__ import annotations

import shutil

import pytest

from bascule.cli.common import moment
from bascule.errors import UserError
from bascule.operations.night.run import with_earlier_attempt
from bascule.reports.night import StepReport, StepStatus
from tests.conftest import UAI, Cli, Files

DONE, UNCHANGED, FAILED = StepStatus.DONE, StepStatus.UNCHANGED, StepStatus.FAILED


def _step(name: str, status: StepStatus, reason: str = "") -> StepReport:
    return StepReport(step=name, status=status, reason=reason)


def test_a_step_the_killed_attempt_did_stays_done() -> None:
    earlier = (_step("import", DONE, "export du 15/09 importé"), _step("plan", DONE))
    later = [_step("import", UNCHANGED, "aucun nouvel export"), _step("plan", UNCHANGED),
             _step("apply", DONE), _step("sync", FAILED, "annuaire injoignable")]
    merged = with_earlier_attempt(earlier, later)
    assert [(s.step, s.status) for s in merged] == [
        ("import", DONE), ("plan", DONE), ("apply", DONE), ("sync", FAILED)]
    assert merged[0].reason == "export du 15/09 importé"


def test_a_failure_of_the_earlier_attempt_is_replaced_by_the_later_outcome() -> None:
    earlier = (_step("sync", FAILED, "annuaire injoignable"),)
    assert with_earlier_attempt(earlier, [_step("sync", DONE)]) == [_step("sync", DONE)]
    assert with_earlier_attempt((), [_step("sync", UNCHANGED)]) == [_step("sync", UNCHANGED)]


def test_an_error_is_reported_on_the_step_it_stopped(home_cli: Cli, files: Files,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal in the middle of a school's night names its step (« application du plan »),
    not a step « erreur » no one knows (newcomer 9, finding 5)."""
    from bascule.operations.night import run, school

    def refused(_context: object, _plan: object) -> None:
        raise UserError("Refusé pour l'essai.")
    monkeypatch.setattr(school, "_apply_or_hold", refused)
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    assert [(s.step, s.status) for s in night.steps][-2:] == [("plan", DONE), ("apply", FAILED)]
    assert night.steps[-1].reason == "Refusé pour l'essai."


def test_a_plan_another_school_made_stale_is_computed_again(home_cli: Cli, files: Files,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Two schools' nights side by side (--jobs, workers): the other school's apply took one of
    this school's élèves (a transfer), this school's plan is stale when it applies: computed
    again and applied, not failed (newcomer 9b: « Le plan enregistré n'est plus à jour »)."""
    from bascule.operations.night import run, school
    from bascule.store.apply import StalePlan

    really, tries = school._apply_or_hold, []

    def once_stale(context: school.SchoolContext, plan: object) -> None:
        tries.append(plan)
        if len(tries) == 1:
            raise StalePlan()
        really(context, plan)  # type: ignore[arg-type]
    monkeypatch.setattr(school, "_apply_or_hold", once_stale)
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    steps = {s.step: s for s in night.steps}
    assert len(tries) == 2 and steps["apply"].status is DONE, night
    assert "calculé de nouveau" in steps["plan"].reason


def _drop(cli: Cli, files: Files) -> None:
    depot = cli.home / "depot" / UAI
    depot.mkdir(parents=True)
    for path in files():
        shutil.copy(path, depot / path.name)
