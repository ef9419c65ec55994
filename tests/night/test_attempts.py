"""A school's night worked again after its worker died (issue 21): the report keeps what the
earlier attempt did, once."""

from __future__ import annotations

from bascule.operations.night.run import with_earlier_attempt
from bascule.reports.night import StepReport, StepStatus

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
