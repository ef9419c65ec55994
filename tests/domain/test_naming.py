"""The one naming rule of structures on every target: distinct, plain, stable year to year."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.naming import (
    Structure,
    folder_name,
    plain_name,
    school_structures,
    structure_names,
)

PLAIN = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def _names(*codes: str, history: dict[tuple[str, str], int] | None = None) -> dict[str, str]:
    named = structure_names(school_structures(codes, (), {}, history or {}))
    return {code: named["classe", code].name for code in codes}


def test_codes_become_plain_names_and_collisions_get_a_number() -> None:
    names = _names("6 A", "6A", "3ème/B", "*)(uid=*")
    assert names == {"6 A": "classe-6-a", "6A": "classe-6a", "3ème/B": "classe-3eme-b",
                     "*)(uid=*": "classe-uid"}
    assert sorted(_names("6-A", "6 A").values()) == ["classe-6-a", "classe-6-a-2"]
    assert _names("6-A", "6 A") == _names("6 A", "6-A")  # the files' order changes nothing
    assert plain_name("") == "sans-nom"


def test_codes_differing_only_by_punctuation_keep_distinct_names_and_folders() -> None:
    codes = ("5 B/1", "5 B 1", "5 B-1", "5 B_1")
    named = structure_names(school_structures(codes, (), {}, {}))
    for family in ("classe", "equipe"):
        assert len({named[family, code].name for code in codes}) == 4
    assert len({named["classe", code].folder.casefold() for code in codes}) == 4
    # A folder carries its group's number: its rights name its own group.
    for code in codes:
        number = named["classe", code].name.removeprefix("classe-5-b-1")
        assert named["classe", code].folder.endswith(number)


def test_a_structure_keeps_its_name_when_a_colliding_one_appears_later() -> None:
    first_year = _names("5 B-1", history={("classe", "5 B-1"): 2025})
    assert first_year == {"5 B-1": "classe-5-b-1"}
    # 2026: « 5 B 1 » appears; it sorts before « 5 B-1 » but came later: it gets the number.
    history = {("classe", "5 B-1"): 2025, ("classe", "5 B 1"): 2026}
    assert _names("5 B-1", "5 B 1", history=history) == {"5 B-1": "classe-5-b-1",
                                                          "5 B 1": "classe-5-b-1-2"}
    # 2027: « 5 B-1 » is gone; its name is not given to « 5 B 1 », which keeps its own.
    assert _names("5 B 1", history=history) == {"5 B 1": "classe-5-b-1-2"}


def test_hostile_codes_become_safe_folder_names() -> None:
    codes = ("../etc", "a/b", "CON", "nul.txt", "x\x00y", ".", "..", " 6A. ", "6a", "6A")
    named = structure_names(school_structures(codes, (), {}, {}))
    folders = [named["classe", code].folder for code in codes]
    for name in folders:
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert name not in (".", "..") and not name.startswith(".")
        assert name.split(".")[0].upper() not in ("CON", "NUL")
    assert len({n.lower() for n in folders}) == len(folders)  # Windows ignores case
    assert folder_name("3ème/B") == "3eme_B"


_CODES = st.text(alphabet=st.sampled_from("5Bb1 -_/.éA"), max_size=6)


@given(st.lists(_CODES, max_size=12), st.lists(_CODES, max_size=12),
       st.dictionaries(_CODES, st.integers(2020, 2030), max_size=12))
def test_distinct_structures_never_share_a_name_or_a_folder(
        divisions: list[str], groups: list[str], years: dict[str, int]) -> None:
    history = {("classe", code): year for code, year in years.items()}
    named = structure_names(school_structures(divisions, groups, {}, history))
    names = [n.name.casefold() for n in named.values()]
    assert len(set(names)) == len(names)
    assert all(set(name) <= PLAIN for name in names)
    for family in ("classe", "groupe"):
        folders = [n.folder.casefold() for (f, _), n in named.items() if f == family]
        assert len(set(folders)) == len(folders)


@given(st.lists(_CODES, min_size=1, max_size=8), _CODES)
def test_a_new_structure_never_renames_the_existing_ones(codes: list[str], newcomer: str) -> None:
    history = {(family, code): 2025 for code in codes for family in ("classe", "equipe")}
    before = structure_names(school_structures(codes, (), {}, history))
    after = structure_names(school_structures([*codes, newcomer], (), {}, history))
    assert all(after[key] == value for key, value in before.items())


def test_only_divisions_of_the_year_and_the_history_are_named() -> None:
    structures = school_structures(["6A"], ["G1"], {"MATHS": "Mathématiques"},
                                   {("classe", "5B"): 2024})
    assert Structure("matiere", "MATHS", "Mathématiques", None) in structures
    assert {(s.family, s.code) for s in structures} == {
        ("classe", "6A"), ("equipe", "6A"), ("groupe", "G1"), ("matiere", "MATHS"),
        ("classe", "5B")}
