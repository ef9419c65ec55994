"""The basis of each saved plan (plan/proportional.py), and the one of the plan applied last.

A plan's basis is written with the plan (`save_basis`), marked applied by the apply that
executes that plan (`mark_basis_applied`, with the directory's version the apply left), and read
by the next plan (`applied_basis`) only while the directory is still at that version: any write
since (another apply, an undo, a decision, a hold, a transfer from another school) bumps the
version, and the next plan then takes the full path.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, delete, insert, select, update

from bascule.plan.proportional import Basis
from bascule.store.schema import plan_basis
from bascule.store.state import directory_version_of

_PEOPLE = msgspec.json.Decoder(dict[str, tuple[str, str]])
_PRESENT = msgspec.json.Decoder(frozenset[str])
_ENCODER = msgspec.json.Encoder(order="deterministic")


def save_basis(connection: Connection, uai: str, plan_sha256: str, basis: Basis) -> None:
    """Keep the basis of the plan just saved (hash `plan_sha256`), in the transaction that
    saved it; bases of plans computed before and never applied are dropped."""
    connection.execute(delete(plan_basis).where(
        (plan_basis.c.uai == uai) & (plan_basis.c.applied_version.is_(None)
                                     | (plan_basis.c.plan_sha256 == plan_sha256))))
    connection.execute(insert(plan_basis).values(
        uai=uai, plan_sha256=plan_sha256, applied_version=None, context=basis.context,
        people=_ENCODER.encode(basis.people), staged=basis.staged,
        present=_ENCODER.encode(basis.present) if basis.present is not None else None))


def mark_basis_applied(connection: Connection, uai: str, plan_sha256: str,
                       version: int) -> None:
    """The plan of this hash was just applied, leaving the directory at `version`: its basis
    becomes the school's; the one before is dropped. When the directory is no longer at that
    version (something else wrote it since the apply), nothing is marked: the next plan takes
    the full path. A plan saved without a basis (a
    lifecycle plan, an undo) changes nothing here: having written the directory, it left the
    basis before at an older version, which no plan uses."""
    mine = (plan_basis.c.uai == uai) & (plan_basis.c.plan_sha256 == plan_sha256)
    if (connection.execute(select(plan_basis.c.uai).where(mine)).first() is None
            or directory_version_of(connection, uai) != version):
        return
    connection.execute(delete(plan_basis).where(
        (plan_basis.c.uai == uai) & plan_basis.c.applied_version.is_not(None)))
    connection.execute(update(plan_basis).where(mine).values(applied_version=version))


def applied_basis(connection: Connection, uai: str) -> Basis | None:
    """The basis of the plan applied last, if nothing wrote the school's directory since."""
    row = connection.execute(select(plan_basis.c.applied_version, plan_basis.c.context,
                                    plan_basis.c.people, plan_basis.c.staged,
                                    plan_basis.c.present).where(
        (plan_basis.c.uai == uai) & plan_basis.c.applied_version.is_not(None))).first()
    if row is None or row.applied_version != directory_version_of(connection, uai):
        return None
    # Without both, nothing chains to it (plan/proportional.py `chained_digests`).
    staged, present = row.staged, None
    if staged is not None and row.present is not None:
        present = _PRESENT.decode(row.present)
    return Basis(context=row.context, people=_PEOPLE.decode(row.people),
                 staged=staged if present is not None else None, present=present)
