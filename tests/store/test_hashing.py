"""Password hashes: argon2id with OWASP parameters, verifiable, computed in a pool."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError

from bascule.store import hashing


def test_the_production_hasher_uses_owasp_argon2id_parameters() -> None:
    # The module constant is what runs outside the tests (which patch it to a cheap one).
    import importlib

    real = importlib.reload(hashing).HASHER
    assert (real.type, real.time_cost, real.memory_cost, real.parallelism) == (
        Type.ID, 2, 19 * 1024, 1)
    assert real.hash("Abcdefghijk1!").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


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
