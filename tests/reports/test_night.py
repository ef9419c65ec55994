from datetime import UTC, datetime

from bascule.reports.night import NightReport, SchoolNight, SchoolOutcome

WHEN = datetime(2027, 8, 28, 2, 30, tzinfo=UTC)


def _night(*outcomes: SchoolOutcome) -> NightReport:
    schools = tuple(SchoolNight(uai=f"099000{i}A", name="Collège", outcome=outcome, reason="")
                    for i, outcome in enumerate(outcomes))
    return NightReport(started_at=WHEN, finished_at=WHEN, at=WHEN.date(), schools=schools)


def test_a_night_is_clean_when_every_school_applied_unchanged_or_skipped() -> None:
    night = _night(SchoolOutcome.APPLIED, SchoolOutcome.UNCHANGED, SchoolOutcome.SKIPPED)
    assert night.exit_code == 0


def test_a_held_or_failed_school_makes_the_night_exit_1() -> None:
    assert _night(SchoolOutcome.APPLIED, SchoolOutcome.HELD).exit_code == 1
    assert _night(SchoolOutcome.FAILED).exit_code == 1
