"""argon2id's cost follows the password's origin: generated ones (initial, reset, reprint) at
the generated cost, the ones people choose at OWASP's, and every stored hash still verifies."""

from __future__ import annotations

import sqlite3

import pytest
from argon2 import PasswordHasher, Type

from bascule.cli.app import app
from bascule.store import hashing
from tests.cli.test_roles import _new_password, college_accounts  # noqa: F401 (a fixture)
from tests.conftest import Cli

# Cheap, and told apart by their time cost as the real ones are by theirs.
GENERATED = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
CHOSEN = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture(autouse=True)
def hashers_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "GENERATED_HASHER", GENERATED)
    monkeypatch.setattr(hashing, "HASHER", CHOSEN)


def _hash_of(cli: Cli, network_login: str) -> str:
    with sqlite3.connect(cli.home / "bascule.sqlite") as db:
        stored: str = db.execute(
            "SELECT account.password_hash FROM account JOIN login USING (person_id) "
            "WHERE login.login = ? AND login.freed_at IS NULL", (network_login,)).fetchone()[0]
    return stored


def _cost(password_hash: str) -> str:
    return password_hash.split("$")[3]


def test_generated_passwords_take_the_generated_cost_chosen_ones_owasps(
        college_accounts: Cli) -> None:  # noqa: F811
    assert _cost(_hash_of(college_accounts, "lmartin")) == "m=8,t=1,p=1"  # the apply's
    assert _cost(_hash_of(college_accounts, "cdurand")) == "m=8,t=1,p=1"  # staff too
    reset = college_accounts("password", "reset", "lmartin", "--by", "cdurand")
    assert _cost(_hash_of(college_accounts, "lmartin")) == "m=8,t=1,p=1"
    college_accounts("password", "reset-group", "6A", "--by", "cdurand")
    assert _cost(_hash_of(college_accounts, "lmartin")) == "m=8,t=1,p=1"
    reset = college_accounts("password", "reset", "lmartin", "--by", "cdurand")
    done = college_accounts.runner.invoke(  # verifies the generated one, stores the chosen one
        app, ["--home", str(college_accounts.home), "password", "change", "lmartin"],
        input=f"{_new_password(reset.stdout)}\nNouveauMotDePasse1!\nNouveauMotDePasse1!\n")
    assert done.exit_code == 0, done.output
    chosen = _hash_of(college_accounts, "lmartin")
    assert _cost(chosen) == "m=8,t=2,p=1"
    assert hashing.verify_password(chosen, "NouveauMotDePasse1!")
