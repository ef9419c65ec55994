"""Login rules: pnom and p.nom forms, ordinals for homonyms, quarantine, reserved names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.logins import (
    MAX_LOGIN_LENGTH,
    RESERVED_LOGINS,
    LoginHolding,
    LoginKind,
    LoginRegistry,
    login_form,
)

NETWORK, EDUCONNECT = LoginKind.NETWORK, LoginKind.EDUCONNECT
NOW = datetime(2026, 9, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first", "last", "pnom", "p_nom"),
    [
        ("Léa", "MARTIN", "lmartin", "l.martin"),
        ("Éloïse", "GUÉRIN", "eguerin", "e.guerin"),
        ("Lætitia", "CŒUR-LÉGER", "lcoeurleger", "l.coeurleger"),
        ("Noël", "D'ALMEIDA", "ndalmeida", "n.dalmeida"),
        ("Aïcha", "N'DIAYE", "andiaye", "a.ndiaye"),
        ("Jean-Baptiste", "DE LA FONTAINE", "jdelafontaine", "j.delafontaine"),
        ("Søren", "STRAUß", "sstrauss", "s.strauss"),
        ("Łukasz", "WIŁKOWSKI", "lwilkowski", "l.wilkowski"),
        ("Élodie", "ÖZTÜRK", "eozturk", "e.ozturk"),
    ],
)
def test_forms_are_ascii_lowercase_without_punctuation(
    first: str, last: str, pnom: str, p_nom: str
) -> None:
    assert login_form(first, last, NETWORK) == pnom
    assert login_form(first, last, EDUCONNECT) == p_nom


def test_long_names_are_cut_to_twenty_characters_ordinal_included() -> None:
    last = "DE SAINT-EXUPÉRY-MONTMORENCY"
    assert login_form("François", last, NETWORK) == "fdesaintexuperymontm"
    assert login_form("François", last, NETWORK, 2) == "fdesaintexuperymont2"
    assert login_form("François", last, NETWORK, 12) == "fdesaintexuperymon12"
    assert login_form("François", last, EDUCONNECT, 2) == "f.desaintexuperymon2"
    assert len(login_form("François", last, EDUCONNECT, 12)) == MAX_LOGIN_LENGTH


def test_homonyms_get_the_smallest_free_ordinal_from_two() -> None:
    registry = _registry(lmartin=("eleve:1", None), lmartin2=("eleve:2", None),
                         lmartin4=("eleve:4", None))
    assert registry.first_free_for("Léa", "MARTIN", NETWORK, "eleve:9", NOW) == "lmartin3"
    # A form its own holder asks for is theirs; one freed long enough is anyone's again.
    assert registry.first_free_for("Léa", "MARTIN", NETWORK, "eleve:1", NOW) == "lmartin"
    freed = _registry(lmartin=("eleve:1", NOW - timedelta(days=400)))
    assert freed.first_free_for("Léa", "MARTIN", NETWORK, "eleve:9", NOW) == "lmartin"


def test_reserved_names_are_never_issued() -> None:
    assert _registry().first_free_for("Alain", "DMIN", NETWORK, "staff:1", NOW) == "admin2"
    assert _registry().first_free_for("", "ROOT", NETWORK, "staff:1", NOW) == "root2"
    assert {"administrateur", "invite", "guest", "system", "con", "lpt1"} <= RESERVED_LOGINS


def test_a_name_without_letters_still_gets_a_login() -> None:
    assert login_form("", "", NETWORK) == "compte"
    assert login_form("Léa", "---", NETWORK) == "lea"


def test_other_scripts_are_transliterated() -> None:
    login = login_form("Ελένη", "Παπαδοπούλου", NETWORK)
    assert login.isascii() and login.startswith("epapadopo")


def _registry(**holdings: tuple[str, datetime | None]) -> LoginRegistry:
    return LoginRegistry(
        holdings={login: LoginHolding(login=login, holder=holder, freed_at=freed)
                  for login, (holder, freed) in holdings.items()},
        quarantine=timedelta(days=365),
    )


def test_a_held_login_is_taken_even_when_its_account_is_disabled() -> None:
    registry = _registry(lmartin=("eleve:1", None))
    assert not registry.is_free_for("lmartin", "eleve:2", NOW)
    assert registry.is_free_for("lmartin", "eleve:1", NOW)


def test_a_freed_login_is_quarantined_for_anyone_else() -> None:
    registry = _registry(lmartin=("eleve:1", NOW - timedelta(days=364)))
    assert not registry.is_free_for("lmartin", "eleve:2", NOW)
    assert registry.is_free_for("lmartin", "eleve:1", NOW)  # the same person comes back
    later = NOW + timedelta(days=1)
    assert registry.is_free_for("lmartin", "eleve:2", later)


@given(first=st.text(max_size=30), last=st.text(max_size=60),
       ordinal=st.integers(min_value=1, max_value=999))
def test_every_login_fits_and_holds_only_allowed_characters(
    first: str, last: str, ordinal: int
) -> None:
    for kind, allowed in ((NETWORK, set("abcdefghijklmnopqrstuvwxyz0123456789")),
                          (EDUCONNECT, set("abcdefghijklmnopqrstuvwxyz0123456789."))):
        login = login_form(first, last, kind, ordinal)
        assert 0 < len(login) <= MAX_LOGIN_LENGTH
        assert set(login) <= allowed
        assert login.casefold() == login  # first_free_for checks the reserved names so
        if ordinal > 1:
            assert login.endswith(str(ordinal))


_NAMES = st.sampled_from([("Léa", "Martin"), ("Louis", "Martin"), ("Lou", "MARTIN"),
                          ("Ali", "Ben"), ("Admin", "Istrator")])
_HOLDERS = st.sampled_from(["eleve:1", "eleve:2", "eleve:3", "0000000A/eleve:1",
                            "0000000A/eleve:9"])
_FREED = st.one_of(st.none(), st.sampled_from([NOW - timedelta(days=1),
                                               NOW - timedelta(days=400)]))


_Held = tuple[tuple[str, str], int, str, datetime | None]
_Asked = tuple[tuple[str, str], str, str | None, datetime]


def _holding(login: str, holder: str, freed: datetime | None) -> LoginHolding:
    return LoginHolding(login=login, holder=holder, freed_at=freed)


@given(held=st.lists(st.tuples(_NAMES, st.integers(1, 6), _HOLDERS, _FREED), max_size=12),
       elsewhere=st.lists(st.tuples(_NAMES, st.integers(1, 6), _HOLDERS, _FREED), max_size=8),
       asked=st.lists(st.tuples(_NAMES, _HOLDERS, st.sampled_from([None, "0000000A/eleve:1"]),
                                st.sampled_from([NOW, NOW + timedelta(days=200)])),
                      max_size=12),
       kind=st.sampled_from(list(LoginKind)))
def test_a_scan_that_starts_where_the_last_stopped_finds_the_first_free_form(
    held: list[_Held], elsewhere: list[_Held], asked: list[_Asked], kind: LoginKind
) -> None:
    """The registry's memory of its scans changes no answer: each login handed out is the one
    a registry that never scanned gives for the same holdings (held as the plan holds them)."""
    holdings = {(login := login_form(first, last, kind, ordinal)): _holding(login, holder, freed)
                for (first, last), ordinal, holder, freed in held}
    others: dict[str, tuple[LoginHolding, ...]] = {}
    for (first, last), ordinal, holder, freed in elsewhere:
        login = login_form(first, last, kind, ordinal)
        others[login] = (*others.get(login, ()), _holding(login, holder, freed))
    remembering = LoginRegistry(holdings=dict(holdings), quarantine=timedelta(days=365),
                                elsewhere=others)
    for (first, last), person, also, now in asked:
        fresh = LoginRegistry(holdings=dict(remembering.holdings),
                              quarantine=timedelta(days=365), elsewhere=others)
        expected = fresh.first_free_for(first, last, kind, person, now, also=also)
        assert remembering.first_free_for(first, last, kind, person, now,
                                          also=also) == expected
        remembering.holdings[expected] = _holding(expected, person, None)
