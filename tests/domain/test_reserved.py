"""The one table of reserved names: no login ever takes a group's or a built-in account's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bascule.domain.logins import LoginKind, LoginRegistry, is_reserved, login_form
from bascule.domain.reserved import RESERVED_NAMES, ReservedReason, reserved_reason
from bascule.targets.model import PROFILE_GROUPS, SchoolView, desired_directory

NETWORK = LoginKind.NETWORK


@pytest.mark.parametrize(("first", "last", "reserved", "given_login"), [
    ("Emma", "LÈVES", "eleves", "eleves2"),  # bascule's group of élèves
    ("Ugo", "SERS", "users", "users2"),  # Active Directory's built-in group
    ("Pauline", "ROFS", "profs", "profs2"),
    ("Pierre", "ERSONNELS", "personnels", "personnels2"),
    ("Kim", "RBTGT", "krbtgt", "krbtgt2"),  # AD's Kerberos account
    ("Nina", "OBODY", "nobody", "nobody2"),  # POSIX
    ("Marc", "AN", "man", "man2"),  # Debian's base-passwd
])
def test_a_login_skips_a_reserved_name_to_the_next_free_form(
        first: str, last: str, reserved: str, given_login: str) -> None:
    assert login_form(first, last, NETWORK) == reserved
    nobody = LoginRegistry(holdings={}, quarantine=timedelta(days=365))
    assert nobody.first_free_for(first, last, NETWORK, "staff:1",
                                 datetime(2026, 9, 1, tzinfo=UTC)) == given_login


def test_every_group_bascule_writes_without_a_dash_is_in_the_table() -> None:
    view = SchoolView(uai="0860999U", users=(), divisions={"6A": "6A"}, groups={"G1": ("6A",)},
                      members={}, services=frozenset({("prof:1", "D:6A", "MATHS")}),
                      profs_principaux=frozenset(), subjects={"MATHS": "Maths"},
                      referents=frozenset())
    names = set(desired_directory(view).groups)
    assert set(PROFILE_GROUPS.values()) <= {n for n, r in RESERVED_NAMES.items()
                                            if r is ReservedReason.BASCULE_GROUP}
    # The other groups carry a dash (classe-, equipe-, groupe-, matiere-, and the two fixed
    # ones are in the table too): a login, letters and digits (and p.nom's dot), never has one.
    assert all(is_reserved(name) or "-" in name for name in names)


@given(st.text(max_size=12), st.text(max_size=30))
def test_no_login_form_can_be_a_group_name_with_a_dash(first: str, last: str) -> None:
    for kind in LoginKind:
        assert "-" not in login_form(first, last, kind)


def test_names_are_compared_without_case_as_active_directory_does() -> None:
    assert reserved_reason("Administrators") is ReservedReason.ACTIVE_DIRECTORY
    assert reserved_reason("ROOT") is ReservedReason.POSIX
    assert is_reserved("Eleves") and not is_reserved("eleves2")
