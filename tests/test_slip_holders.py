"""Who is on each PDF of a credentials folder, told again from its comptes.csv: a file whose
name two groups may have had holds, for the policy, the people of both; a file nobody can
tell holds every profile (operations/slips.py asks the policy about each)."""

from __future__ import annotations

from pathlib import Path

from bascule.operations.slip_holders import Holder, Origin, holders_of, origin_of, write_manifest
from bascule.reports.credentials import COLUMNS
from bascule.reports.tables import csv_for_people


def _accounts(folder: Path, rows: list[list[str]]) -> None:
    folder.mkdir()
    (folder / "comptes.csv").write_text(csv_for_people(COLUMNS, rows), encoding="utf-8-sig")


def test_colliding_names_hold_the_people_of_both_groups(tmp_path: Path) -> None:
    folder = tmp_path / "20260910-100000"
    _accounts(folder, [["mdupont", "m.dupont", "DUPONT", "Marc", "direction", "", "x"],
                       ["", "l.petit", "PETIT", "Léa", "eleve", "6A", "y"],
                       ["tmorel", "", "MOREL", "Tom", "eleve", "personnels de direction", "z"]])
    found = holders_of(folder, ["fiches-6A.pdf", "fiches-personnels_de_direction.pdf",
                                "fiches-personnels_de_direction-2.pdf", "fiches-autre.pdf"])
    assert found["fiches-6A.pdf"] == (Holder(("l.petit",), "eleve", "6A"),)
    both = {holder.profile for holder in found["fiches-personnels_de_direction-2.pdf"] or ()}
    assert both == {"direction", "eleve"}
    assert found["fiches-personnels_de_direction.pdf"] == \
        found["fiches-personnels_de_direction-2.pdf"]
    assert found["fiches-autre.pdf"] is None  # nobody can tell: every profile
    assert origin_of(folder) is None  # an apply's


def test_a_reset_s_folder_says_what_it_was(tmp_path: Path) -> None:
    origin = Origin(structure="6A", kind="division", by="LE GOFF Jean (jlegoff)", reprint=False)
    holder = Holder(("lpetit", "l.petit"), "eleve", "6A")
    write_manifest(tmp_path, origin, {"fiches-6A.pdf": [holder]})
    assert origin_of(tmp_path) == origin
    assert holders_of(tmp_path, ["fiches-6A.pdf", "fiches-5B.pdf"]) == {
        "fiches-6A.pdf": (holder,), "fiches-5B.pdf": None}
