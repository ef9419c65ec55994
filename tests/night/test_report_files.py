"""The night's report files are named after the night's day, a rehearsal's too (newcomer 9b,
finding 6): `run --at 2026-09-01T02:30` on 1 December writes nuit-20260901-…, not
nuit-20261201-…, and a second report of the same day never overwrites the first."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from bascule.operations.night.run import REPORTS_FOLDER, keep_night_report
from bascule.reports.night import NightReport
from bascule.settings import load_settings
from tests.conftest import Cli

RAN = datetime(2026, 12, 1, 3, 25, 10, tzinfo=UTC)  # the machine's clock


def _report(at: date, dry_run: bool = False) -> NightReport:
    return NightReport(started_at=RAN, finished_at=RAN + timedelta(seconds=40), at=at,
                       schools=(), dry_run=dry_run)


def test_a_rehearsed_night_is_named_after_its_day_and_never_overwrites(home_cli: Cli) -> None:
    settings = load_settings(home_cli.home)
    first = keep_night_report(settings, _report(date(2026, 9, 1)))
    second = keep_night_report(settings, _report(date(2026, 9, 1)))  # the same second
    assert first.html.name == "nuit-20260901-042510.html"  # 03:25 UTC is 04:25 in Paris
    assert first.json.name == "nuit-20260901-042510.json"
    assert second.html.name == "nuit-20260901-042510-2.html"
    assert first.html.is_file() and second.html.is_file() and second.json.is_file()
    dry = keep_night_report(settings, _report(date(2026, 9, 2), dry_run=True))
    assert dry.html.name == "simulation-20260902-042510.html"


def test_old_reports_go_by_when_they_were_written_not_by_the_day_they_rehearsed(
        home_cli: Cli) -> None:
    settings = load_settings(home_cli.home)
    folder = home_cli.home / REPORTS_FOLDER
    folder.mkdir(parents=True)
    old = folder / "nuit-20261201-010000.html"  # written 100 days ago
    old.write_text("")
    long_ago = (RAN - timedelta(days=100)).timestamp()
    os.utime(old, (long_ago, long_ago))
    rehearsed = keep_night_report(settings, _report(date(2026, 6, 1)))  # 183 days before
    assert rehearsed.html.is_file() and rehearsed.json.is_file()
    assert not old.exists()


def test_the_html_report_writes_seconds_with_a_decimal_comma(home_cli: Cli) -> None:
    """« 1,5 s », as French readers write it (newcomer 11 read « 0.0 s »)."""
    from bascule.reports.night import SchoolNight, SchoolOutcome, StepReport, StepStatus

    school = SchoolNight(uai="0860999U", name="Collège", outcome=SchoolOutcome.APPLIED,
                         reason="", steps=(StepReport(step="apply", status=StepStatus.DONE,
                                                      seconds=1.54),))
    report = NightReport(started_at=RAN, finished_at=RAN + timedelta(seconds=40),
                         at=date(2026, 9, 1), schools=(school,))
    written = keep_night_report(load_settings(home_cli.home), report).html.read_text("utf-8")
    assert "<td>1,5 s</td>" in written and "1.5 s" not in written
