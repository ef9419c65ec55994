"""Slip files: safe, unique names for division codes that hold spaces, slashes and accents."""

from __future__ import annotations

from bascule.reports.slips import slip_file_name


def test_division_codes_become_safe_unique_file_names() -> None:
    taken: set[str] = set()
    assert slip_file_name("5 B/1", taken) == "fiches-5_B_1.pdf"
    assert slip_file_name("5 B 1", taken) == "fiches-5_B_1-2.pdf"
    assert slip_file_name("3 Théâtre", taken) == "fiches-3_Theatre.pdf"
    assert slip_file_name("../..", taken) == "fiches-division.pdf"
