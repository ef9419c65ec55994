"""Password hashes: argon2id at a cost chosen by the password's origin, verifiable whatever
their cost, computed in a pool."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError

from bascule.store import hashing
from bascule.store.hashing import PasswordOrigin


def test_the_production_hashers_take_their_cost_from_the_password_origin(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the module's own hashers, as outside the tests (conftest cheapens them)
    chosen = hashing.hash_password("Abcdefghijk1!", PasswordOrigin.CHOSEN)
    generated = hashing.hash_password("Abcdefghijk1!", PasswordOrigin.GENERATED)
    assert chosen.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP
    assert generated.startswith("$argon2id$v=19$m=4096,t=1,p=1$")
    assert hashing.hash_password("Abcdefghijk1!").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    pooled = hashing.hash_passwords({f"k{n}": f"Motdepasse{n:02d}!" for n in range(10)},
                                    origin=PasswordOrigin.GENERATED)
    assert all(h.startswith("$argon2id$v=19$m=4096,t=1,p=1$") for h in pooled.values())


def test_verify_accepts_every_stored_cost_and_nothing_else(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    older = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1, type=Type.ID)
    for stored in (hashing.hash_password("Tabeko-rimusa47", PasswordOrigin.GENERATED),
                   hashing.hash_password("Tabeko-rimusa47", PasswordOrigin.CHOSEN),
                   older.hash("Tabeko-rimusa47")):
        assert hashing.verify_password(stored, "Tabeko-rimusa47")
        assert not hashing.verify_password(stored, "Tabeko-rimusa48")
    assert not hashing.verify_password("", "Tabeko-rimusa47")  # a deleted account
    assert not hashing.verify_password("not a hash", "Tabeko-rimusa47")


def test_hashes_in_a_pool_verify_against_their_own_password() -> None:
    passwords = {f"person:{n}": f"Motdepasse{n:02d}!" for n in range(20)}
    counted: list[int] = []
    hashes = hashing.hash_passwords(passwords, counted.append)
    assert sum(counted) == 20 and set(hashes) == set(passwords)
    verifier = PasswordHasher()
    for key, password in passwords.items():
        assert verifier.verify(hashes[key], password)
    try:
        verifier.verify(hashes["person:0"], passwords["person:1"])
        raise AssertionError("a hash verified another password")
    except VerifyMismatchError:
        pass
