"""Slip files: safe, unique names for division codes that hold spaces, slashes and accents;
slips sent whole to the apply's pool of processes."""

from __future__ import annotations

import pickle

from bascule.reports.slips import Slip, slip_file_name


def test_division_codes_become_safe_unique_file_names() -> None:
    taken: set[str] = set()
    assert slip_file_name("5 B/1", taken) == "fiches-5_B_1.pdf"
    assert slip_file_name("5 B 1", taken) == "fiches-5_B_1-2.pdf"
    assert slip_file_name("3 Théâtre", taken) == "fiches-3_Theatre.pdf"
    assert slip_file_name("../..", taken) == "fiches-division.pdf"


def test_a_slip_reaches_the_pool_whole() -> None:
    """Pickled as a tuple of its fields (Slip.__reduce__): each field back in its place."""
    slips = [Slip(person="eleve:1", label="DUPONT Léa", division="5A", network_login="l.dupont",
                  educonnect_login="l.dupont7", profile="eleve"),
             Slip(person="responsable:2", label="DUPONT Marc", division=None,
                  network_login=None, educonnect_login="m.dupont", profile="responsable")]
    assert pickle.loads(pickle.dumps(slips)) == slips
