"""Calendar files: the shipped 2026 file, and the home's and the school's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from bascule.domain.calendar import Milestone, derive_calendar
from bascule.errors import UserError
from bascule.operations.calendars import load_calendar
from tests.domain.test_calendar import paris


def test_the_shipped_file_agrees_with_the_rules_and_adds_moodlecol(tmp_path: Path) -> None:
    shipped, rules = load_calendar(tmp_path, 2026), derive_calendar(2026)
    assert all(shipped.spans[m] == span for m, span in rules.spans.items())
    assert shipped.start(Milestone.MOODLECOL_STOPPED) == paris("2026-09-30T00:00")
    assert load_calendar(tmp_path, 2027).span(Milestone.MOODLECOL_STOPPED) is None


def test_home_then_school_files_replace_dates(tmp_path: Path) -> None:
    (tmp_path / "calendrier-2026.toml").write_text(
        "[deletions]\nstart = 2026-09-21T00:00:00\n", encoding="utf-8")
    (tmp_path / "calendrier-2026-0860999U.toml").write_text(
        "[pedagogical_server_resumes]\nstart = 2026-08-31T08:00:00\n", encoding="utf-8")
    school = load_calendar(tmp_path, 2026, "0860999U")
    assert school.start(Milestone.DELETIONS) == paris("2026-09-21T00:00")
    assert school.start(Milestone.PEDAGOGICAL_SERVER_RESUMES) == paris("2026-08-31T08:00")
    other = load_calendar(tmp_path, 2026, "0750654D")
    assert other.start(Milestone.PEDAGOGICAL_SERVER_RESUMES) == paris("2026-08-28T00:00")


def test_a_wrong_calendar_file_says_where(tmp_path: Path) -> None:
    (tmp_path / "calendrier-2026.toml").write_text("[deletion]\nstart = 2026-09-21T00:00:00\n",
                                                   encoding="utf-8")
    with pytest.raises(UserError, match="étape « deletion » inconnue"):
        load_calendar(tmp_path, 2026)
    (tmp_path / "calendrier-2026.toml").write_text("[deletions]\nstart = \"21/09\"\n",
                                                   encoding="utf-8")
    with pytest.raises(UserError, match=r"\[deletions\] start doit être une date et heure"):
        load_calendar(tmp_path, 2026)
