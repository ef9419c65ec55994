"""The département's operators in the store: their own table, a chosen password kept as an
argon2id hash, sessions ended by removal and password change, actors found by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bascule.domain.policy import Role
from bascule.errors import UserError
from bascule.store import operators as store_operators
from bascule.store.engine import open_store
from bascule.store.hashing import hash_password, verify_password
from bascule.store.operators import (
    actor_name,
    add_operator,
    deactivate_operator,
    find_actor,
    find_operator,
    operator_password_hash,
    operators,
)
from bascule.store.sessions import (
    end_every_session,
    end_operator_sessions,
    live_operator_session,
    live_session_count,
    look_at_school,
    open_operator_session,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_an_operator_is_stored_with_a_hash_of_the_chosen_password(engine: Engine) -> None:
    with engine.begin() as connection:
        added = add_operator(connection, "jdupont", "Jean Dupont",
                             hash_password("Tr3s-solide!pass"), NOW)
        stored = operator_password_hash(connection, added.operator_id)
    assert (added.login, added.display_name, added.active) == ("jdupont", "Jean Dupont", True)
    assert added.created_at == NOW and added.last_sign_in_at is None
    assert stored.startswith("$argon2id$") and "Tr3s" not in stored
    assert verify_password(stored, "Tr3s-solide!pass")


def test_a_login_is_one_active_operator_and_a_removed_one_comes_back(engine: Engine) -> None:
    with engine.begin() as connection:
        first = add_operator(connection, "jdupont", "Jean Dupont", "h1", NOW)
        with pytest.raises(UserError, match="existe déjà"):
            add_operator(connection, "jdupont", "Autre", "h2", NOW)
        deactivate_operator(connection, first)
        assert find_operator(connection, "jdupont").active is False  # type: ignore[union-attr]
        back = add_operator(connection, "jdupont", "Jean Dupont-Martin", "h3", NOW)
        assert [row.login for row in operators(connection)] == ["jdupont"]
    assert (back.operator_id, back.active, back.display_name) == (
        first.operator_id, True, "Jean Dupont-Martin")


def test_an_operator_added_meanwhile_is_refused_in_words(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two `operator add` of one login at once: the one that commits second read no such
    operator, then its insert meets the other's row; it is refused as any duplicate."""
    with engine.begin() as connection:
        add_operator(connection, "jdupont", "Jean Dupont", "h1", NOW)
    monkeypatch.setattr(store_operators, "find_operator", lambda *_: None)  # the stale read
    with engine.begin() as connection, pytest.raises(UserError, match="existe déjà"):
        add_operator(connection, "jdupont", "Autre", "h2", NOW)


@pytest.mark.parametrize("login", ["", "J", "Jean", "jean dupont", "1abc", "opérateur", "a:b"])
def test_logins_of_another_shape_are_refused(engine: Engine, login: str) -> None:
    with engine.begin() as connection, pytest.raises(UserError, match="refusé"):
        add_operator(connection, login, "Jean", "h", NOW)


def test_a_session_lives_until_ended_expired_or_the_operator_removed(engine: Engine) -> None:
    with engine.begin() as connection:
        found = add_operator(connection, "jdupont", "Jean Dupont", "h", NOW)
        token, csrf = open_operator_session(connection, found, "0860999X", NOW)
        live = live_operator_session(connection, token, NOW + timedelta(hours=1))
        assert live is not None and (live.uai, live.csrf) == ("0860999X", csrf)
        assert live.operator.last_sign_in_at == NOW
        look_at_school(connection, token, "0860001A")
        assert live_operator_session(connection, token, NOW).uai == "0860001A"  # type: ignore[union-attr]
        assert live_operator_session(connection, token, NOW + timedelta(hours=9)) is None
        assert live_session_count(connection, NOW) == 1
        deactivate_operator(connection, found)
        assert live_operator_session(connection, token, NOW) is None


def test_ending_an_operators_sessions_and_every_session(engine: Engine) -> None:
    with engine.begin() as connection:
        found = add_operator(connection, "jdupont", "Jean Dupont", "h", NOW)
        tokens = [open_operator_session(connection, found, "0860999X", NOW)[0] for _ in "ab"]
        assert end_operator_sessions(connection, found.operator_id, NOW, "test") == 2
        assert all(live_operator_session(connection, t, NOW) is None for t in tokens)
        token, _csrf = open_operator_session(connection, found, "0860999X", NOW)
        end_every_session(connection, NOW, "sauvegarde restaurée")
        assert live_operator_session(connection, token, NOW) is None


def test_an_operator_acts_as_a_person_with_the_operator_role_only(engine: Engine) -> None:
    with engine.begin() as connection:
        found = add_operator(connection, "jdupont", "Jean Dupont", "h", NOW)
        actor = find_actor(connection, "0860999X", actor_name("jdupont"))
        assert (actor.login, actor.roles, actor.label) == (
            "opérateur:jdupont", frozenset({Role.OPERATEUR}), "Jean Dupont (opérateur)")
        deactivate_operator(connection, found)
        with pytest.raises(UserError, match="Aucun opérateur actif"):
            find_actor(connection, "0860999X", actor_name("jdupont"))
        with pytest.raises(UserError, match="Aucun compte"):  # a school login, as before
            find_actor(connection, "0860999X", "jdupont")


def test_old_operator_sessions_are_purged_at_the_next_sign_in(engine: Engine) -> None:
    from sqlalchemy import func, select

    from bascule.store.schema import operator_session
    from bascule.store.sessions import KEPT_DAYS

    with engine.begin() as connection:
        found = add_operator(connection, "jdupont", "Jean Dupont", "$argon2id$x", NOW)
        open_operator_session(connection, found, "0861000V", NOW)
        open_operator_session(connection, found, "0861000V", NOW + timedelta(days=1))
        open_operator_session(connection, found, "0861000V",
                              NOW + timedelta(days=KEPT_DAYS, hours=1))
        kept = connection.execute(select(func.count()).select_from(operator_session)).scalar()
    assert kept == 2  # the first one, older than KEPT_DAYS, is gone
