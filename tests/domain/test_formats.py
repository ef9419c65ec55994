"""Times shown in Paris time whatever the machine's zone; numbers written the French way."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bascule.domain.formats import decimal, size, whole
from bascule.domain.school import describe_moment
from bascule.verification.report import write_report


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine in another zone than the schools': nothing may follow it."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert time.localtime(0).tm_hour == 9
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("tokyo")
@pytest.mark.parametrize(("moment", "shown"), [
    (datetime(2026, 9, 1, 6, 30, tzinfo=UTC), "mardi 01/09/2026 08:30"),  # summer: UTC+2
    (datetime(2026, 12, 1, 6, 30, tzinfo=UTC), "mardi 01/12/2026 07:30"),  # winter: UTC+1
    (datetime(2026, 9, 1, 6, 30), "mardi 01/09/2026 08:30"),  # naive: the store's UTC
    (datetime(2026, 9, 1, 15, 30, tzinfo=timezone(timedelta(hours=9))),
     "mardi 01/09/2026 08:30"),
    (datetime(2026, 8, 31, 22, 0, tzinfo=UTC), "mardi 01/09/2026"),  # Paris' midnight
])
def test_every_moment_is_shown_in_paris_time(moment: datetime, shown: str) -> None:
    assert describe_moment(moment) == shown


@pytest.mark.usefixtures("tokyo")
def test_a_journal_moment_keeps_its_midnight() -> None:
    assert describe_moment(datetime(2026, 8, 31, 22, 0, tzinfo=UTC), clock=True) == (
        "mardi 01/09/2026 00:00")


@pytest.mark.usefixtures("tokyo")
def test_the_verification_report_is_dated_in_paris_time(tmp_path: Path) -> None:
    page = tmp_path / "verification.html"
    write_report(page, [], school_name="Collège", uai="0860999U",
                 generated_at=datetime(2026, 9, 1, 6, 30, tzinfo=UTC))
    assert "Établi le mardi 01/09/2026 08:30" in page.read_text(encoding="utf-8")


def test_numbers_are_written_the_french_way() -> None:
    assert decimal(20) == "20,0"
    assert decimal(1746.04) == "1\u00a0746,0"
    assert whole(21000) == "21\u00a0000"
    assert size(20 * 1024**3) == "20,0 Go"
    assert size(512) == "512 o" and size(1536) == "1,5 Ko" and size(None) == "—"
