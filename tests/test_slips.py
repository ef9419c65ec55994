"""Slip files: safe, unique names for division codes that hold spaces, slashes and accents;
slips sent whole to the apply's pool of processes, as tuples."""

from __future__ import annotations

import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.labels import PROFILES_PLURAL
from bascule.domain.logins import LoginKind
from bascule.plan.model import Action, ActionKind
from bascule.reports.credentials import _batches
from bascule.reports.slips import Slip, slip_file_name, slip_of_row, slips_by_group


def test_division_codes_become_safe_unique_file_names() -> None:
    taken: set[str] = set()
    assert slip_file_name("5 B/1", taken) == "fiches-5_B_1.pdf"
    assert slip_file_name("5 B 1", taken) == "fiches-5_B_1-2.pdf"
    assert slip_file_name("3 Théâtre", taken) == "fiches-3_Theatre.pdf"
    assert slip_file_name("../..", taken) == "fiches-division.pdf"


def test_a_slip_reaches_the_pool_whole() -> None:
    """Sent as a tuple of its fields (`SlipRow`), grouped by PDF: each field back in its
    place once the pool's process makes it a Slip again."""
    eleve = Action(kind=ActionKind.CREATE, person="eleve:1", profile="eleve", label="DUPONT Léa",
                   division="5A", logins=((LoginKind.NETWORK, "ldupont"),
                                          (LoginKind.EDUCONNECT, "l.dupont7")))
    parent = Action(kind=ActionKind.CREATE, person="responsable:2", profile="responsable",
                    label="DUPONT Marc", logins=((LoginKind.EDUCONNECT, "m.dupont"),))
    groups = pickle.loads(pickle.dumps(slips_by_group([eleve, parent])))
    assert {group: [slip_of_row(row) for row in rows] for group, rows in groups.items()} == {
        "5A": [Slip(person="eleve:1", label="DUPONT Léa", division="5A",
                    network_login="ldupont", educonnect_login="l.dupont7", profile="eleve")],
        PROFILES_PLURAL["responsable"]: [Slip(
            person="responsable:2", label="DUPONT Marc", division=None, network_login=None,
            educonnect_login="m.dupont", profile="responsable")]}


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=40),
       st.integers(min_value=1, max_value=6))
def test_the_slips_go_to_the_pool_in_a_few_batches_of_about_as_many(sizes: list[int],
                                                                    count: int) -> None:
    files = [(Path(f"fiches-{n}.pdf"), [("eleve:1", "X", None, None, None, "eleve")] * size)
             for n, size in enumerate(sizes)]
    batches = _batches(files, count)
    assert len(batches) == min(count, len(files))
    assert sorted(file for batch in batches for file in batch) == sorted(files)  # each once
    totals = [sum(len(slips) for _path, slips in batch) for batch in batches]
    assert totals == sorted(totals, reverse=True)  # the largest first
    assert not totals or totals[0] - totals[-1] <= max(sizes)  # none far above another
