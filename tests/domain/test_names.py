"""Names as every target gets them: NFC, no format characters, single spaces, words kept."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.people import clean_name, invisible_characters


def test_format_characters_are_removed_and_composed_letters_kept() -> None:
    assert clean_name("Lé\u200ba") == "Léa"  # zero-width space
    assert clean_name("Ma\u00adrie\u200d") == "Marie"  # soft hyphen, zero-width joiner
    assert clean_name("\u200fDURAND\u202a") == "DURAND"  # bidi marks
    assert clean_name("\ufeffZoé") == "Zoé"  # a byte-order mark pasted from a file
    assert clean_name("Le\u0301a") == "Léa" and len(clean_name("Le\u0301a")) == 3  # NFC
    assert clean_name("Le\u200b\u0301a") == "Léa"  # composed once the invisible one is gone


def test_multi_word_first_names_are_kept_whole_with_single_spaces() -> None:
    assert clean_name("Lena  Marie") == "Lena Marie"
    assert clean_name("Jean\u00a0Pierre\u202f") == "Jean Pierre"
    assert clean_name("Lena-Marie") == "Lena-Marie"


def test_controls_are_left_for_the_control_check() -> None:
    assert clean_name("No\tël") == "No\tël"


def test_the_invisible_characters_are_named() -> None:
    assert invisible_characters("Lé\u200ba\u00ad") == ["U+200B", "U+00AD"]


@given(st.text())
def test_a_clean_name_is_nfc_without_format_characters_and_stable(text: str) -> None:
    cleaned = clean_name(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not any(unicodedata.category(char) == "Cf" for char in cleaned)
    assert clean_name(cleaned) == cleaned
