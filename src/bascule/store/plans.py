"""Saved plans: what `plan` computed, kept with its hash until `apply` executes it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from bascule.domain.school import local_time
from bascule.plan.model import Plan
from bascule.store.codec import encode, recall
from bascule.store.schema import saved_plan


def save_plan(engine: Engine, plan: Plan) -> str:
    """Keep the plan for `apply`; its hash (hex SHA-256 of its encoding) binds its approval."""
    with engine.begin() as connection:
        return keep_plan(connection, plan)


def machine_now() -> datetime | None:
    """The machine's clock, never a rehearsal's `--at`: kept with each plan as its real day of
    computation (None: not known, as for plans saved before 0026)."""
    return datetime.now(UTC)


def keep_plan(connection: Connection, plan: Plan, *,
              folder_versions: tuple[tuple[str, int], ...] | None = None) -> str:
    """`save_plan` in the caller's transaction (the plan, its basis and its review cases:
    one commit). `folder_versions`: the other schools' directory versions the plan read
    before their logins (StoreState.folder_versions), kept beside the plan, not in it: its
    hash, which binds an approval, stays that of its actions."""
    encoded = encode(plan)
    connection.execute(insert(saved_plan).values(
        uai=plan.uai, computed_at=plan.computed_at, saved_at=machine_now(),
        state_fingerprint=plan.state_fingerprint, content_sha256=encoded.sha256,
        plan=encoded.data, actions=len(plan.actions),
        folder_versions=None if folder_versions is None else json.dumps(folder_versions)))
    return encoded.sha256


def read_folder_versions(connection: Connection, plan_id: int
                         ) -> tuple[tuple[str, int], ...] | None:
    """What `keep_plan` kept of the plan of this id (None: nothing kept, or no such plan)."""
    kept = connection.execute(select(saved_plan.c.folder_versions).where(
        saved_plan.c.id == plan_id)).scalar()
    return None if kept is None else tuple((uai, version) for uai, version in json.loads(kept))


def pending_plan(engine: Engine, uai: str) -> tuple[int, Plan] | None:
    """The newest plan of the school, if it was not applied yet: read and decoded only when
    this process does not hold it already (the plan it just saved, or read before)."""
    query = (select(saved_plan.c.id, saved_plan.c.content_sha256, saved_plan.c.applied_at)
             .where(saved_plan.c.uai == uai).order_by(saved_plan.c.id.desc()).limit(1))
    with engine.connect() as connection:
        row = connection.execute(query).first()
        if row is None or row.applied_at is not None:
            return None
        return row.id, recall(row.content_sha256, Plan,
                              lambda: saved_plan_document(connection, row.id))


def saved_plan_document(connection: Connection, plan_id: int) -> bytes:
    """The plan as stored (store/codec.py's format, or an older store's JSON)."""
    return bytes(connection.execute(select(saved_plan.c.plan).where(
        saved_plan.c.id == plan_id)).scalar_one())


def saved_plan_value(connection: Connection, plan_id: int) -> Plan | None:
    """The plan of this id, as it was saved (an applied one too); None if it was dropped."""
    row = connection.execute(select(saved_plan.c.content_sha256).where(
        saved_plan.c.id == plan_id)).first()
    if row is None:
        return None
    return recall(row.content_sha256, Plan, lambda: saved_plan_document(connection, plan_id))


def mark_applied(connection: Connection, plan_id: int, at: datetime) -> None:
    """In the caller's transaction (the apply's last one, with its basis: one commit)."""
    connection.execute(update(saved_plan).where(saved_plan.c.id == plan_id)
                       .values(applied_at=at))


def carry_saved_at(engine: Engine, uai: str, saved_at: datetime | None) -> None:
    """The waiting plan, computed again for the moment of the plan it replaces (an approval
    with exclusions), takes that plan's real day of computation too."""
    newest = select(func.max(saved_plan.c.id)).where(saved_plan.c.uai == uai)
    with engine.begin() as connection:
        connection.execute(update(saved_plan).where(
            (saved_plan.c.id == newest.scalar_subquery()) & saved_plan.c.applied_at.is_(None))
            .values(saved_at=saved_at))


@dataclass(frozen=True, slots=True)
class Approval:
    plan_id: int
    content_sha256: str
    approved_by: str | None
    approved_at: datetime | None
    saved_at: datetime | None = None  # the machine's clock at its computation (0026 on)
    computed_at: datetime | None = None  # the moment it was computed for (its `--at`)
    actions: int | None = None  # how many actions the plan has (None: saved before 0031)

    @property
    def empty(self) -> bool:
        """The plan changes nothing: there is nothing to approve (unknown before 0031: no)."""
        return self.actions == 0

    def rehearsal(self, computed_at: datetime) -> bool:
        """Computed for another day than the one it was computed on (`--at`); unknown for
        plans saved before the store kept that day (False)."""
        return (self.saved_at is not None
                and local_time(self.saved_at).date() != local_time(computed_at).date())


def approval_of(engine: Engine, plan_id: int) -> Approval:
    query = select(saved_plan.c.content_sha256, saved_plan.c.approved_by,
                   saved_plan.c.approved_at, saved_plan.c.saved_at).where(
                       saved_plan.c.id == plan_id)
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return Approval(plan_id, row.content_sha256, row.approved_by, row.approved_at,
                    row.saved_at)


def pending_approval(engine: Engine, uai: str) -> Approval | None:
    """The waiting plan's hash and approval, without reading the plan itself."""
    query = (select(saved_plan.c.id, saved_plan.c.content_sha256, saved_plan.c.approved_by,
                    saved_plan.c.approved_at, saved_plan.c.applied_at, saved_plan.c.saved_at,
                    saved_plan.c.computed_at, saved_plan.c.actions)
             .where(saved_plan.c.uai == uai).order_by(saved_plan.c.id.desc()).limit(1))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.applied_at is not None:
        return None
    return Approval(row.id, row.content_sha256, row.approved_by, row.approved_at,
                    row.saved_at, row.computed_at, row.actions)


def approve(engine: Engine, plan_id: int, content_sha256: str, by: str, at: datetime) -> bool:
    """Approve the plan of this hash; False if the saved plan is no longer that one."""
    with engine.begin() as connection:
        done = connection.execute(
            update(saved_plan).where((saved_plan.c.id == plan_id)
                                     & (saved_plan.c.content_sha256 == content_sha256)
                                     & saved_plan.c.applied_at.is_(None))
            .values(approved_by=by, approved_at=at))
    return bool(done.rowcount)
