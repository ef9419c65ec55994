"""EduConnect ids across the folder: a school's registry sees the other schools' ids
(`LoginRegistry.elsewhere`), and a person's own id stays theirs (domain/logins.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.logins import (
    LoginHolding,
    LoginKind,
    LoginOwner,
    LoginRegistry,
    folder_holder,
    probably_same,
)

EDUCONNECT = LoginKind.EDUCONNECT
NOW = datetime(2026, 9, 1, 8, tzinfo=UTC)
OTHER = "0861001W"


def _registry(here: dict[str, str | None], elsewhere: dict[str, list[tuple[str, datetime | None]]]
              ) -> LoginRegistry:
    """`here`: login -> holder key (None: nobody); `elsewhere`: login -> (key there, freed)."""
    return LoginRegistry(
        holdings={login: LoginHolding(login=login, holder=key, freed_at=None)
                  for login, key in here.items() if key},
        quarantine=timedelta(days=365),
        elsewhere={login: tuple(LoginHolding(login=login, holder=folder_holder(OTHER, key),
                                             freed_at=freed) for key, freed in holders)
                   for login, holders in elsewhere.items()})


def test_an_id_held_or_in_quarantine_in_another_school_is_not_given_here() -> None:
    registry = _registry({"l.martin": "eleve:1"},
                         {"l.martin2": [("eleve:1", None)],
                          "l.martin3": [("eleve:7", NOW - timedelta(days=30))],
                          "l.martin5": [("eleve:8", NOW - timedelta(days=400))]})
    assert registry.first_free_for("Lou", "MARTIN", EDUCONNECT, "eleve:2", NOW) == "l.martin4"
    assert registry.is_free_for("l.martin5", "eleve:2", NOW)  # its quarantine is over
    assert not registry.is_free_for("l.martin2", "eleve:2", NOW)


def test_the_network_namespace_is_each_schools() -> None:
    """Only the folder-wide namespace is given an `elsewhere` (store/state.py); the same
    registry without one gives the bare form."""
    registry = _registry({}, {})
    assert registry.first_free_for("Lou", "MARTIN", LoginKind.NETWORK, "eleve:2", NOW) == (
        "lmartin")


def test_an_id_this_school_gave_stays_its_holders_even_when_given_elsewhere_too() -> None:
    """Stability first: a duplicate an earlier version made is reported, never renamed."""
    registry = _registry({"l.martin": "eleve:1"}, {"l.martin": [("eleve:1", None)]})
    assert registry.is_free_for("l.martin", "eleve:1", NOW)
    assert not registry.is_free_for("l.martin", "eleve:9", NOW)


def test_an_eleve_arriving_keeps_the_id_of_the_school_he_leaves() -> None:
    registry = _registry({}, {"l.martin": [("eleve:1", None)]})
    assert not registry.is_free_for("l.martin", "eleve:44", NOW)
    assert registry.is_free_for("l.martin", "eleve:44", NOW,
                                also=folder_holder(OTHER, "eleve:1"))


@given(taken=st.sets(st.integers(min_value=1, max_value=12), max_size=10),
       here=st.sets(st.integers(min_value=1, max_value=12), max_size=10))
def test_a_new_id_is_the_first_form_free_in_the_whole_folder(taken: set[int],
                                                            here: set[int]) -> None:
    def form(n: int) -> str:
        return "l.martin" if n == 1 else f"l.martin{n}"
    registry = _registry({form(n): f"eleve:h{n}" for n in here},
                         {form(n): [(f"eleve:e{n}", None)] for n in taken})
    expected = min(n for n in range(1, 30) if n not in taken | here)
    assert registry.first_free_for("Léa", "MARTIN", EDUCONNECT, "eleve:new", NOW) == form(
        expected)


def _owner(uai: str, first: str = "Théo", email: str | None = "Theo.Dalmeida@example.fr",
           profile: str = "responsable") -> LoginOwner:
    return LoginOwner(uai=uai, key="resp:1", profile=profile, last_name="D'ALMEIDA",
                      first_name=first, email=email, status="active")


def test_probably_the_same_person_needs_names_and_an_email_alike() -> None:
    here = _owner("0860999U")
    assert probably_same(here, _owner(OTHER, email=" theo.dalmeida@example.fr"))
    assert not probably_same(here, _owner(OTHER, first="Téo"))
    assert not probably_same(here, _owner(OTHER, email="autre@example.fr"))
    assert not probably_same(_owner("0860999U", email=None), _owner(OTHER, email=None))
    assert not probably_same(here, _owner(OTHER, profile="eleve"))
