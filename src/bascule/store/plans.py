"""Saved plans: what `plan` computed, kept with its hash until `apply` executes it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from bascule.plan.model import Plan
from bascule.store.codec import from_json, to_json
from bascule.store.schema import saved_plan


def save_plan(engine: Engine, plan: Plan) -> str:
    document = to_json(plan)
    digest = hashlib.sha256(document.encode()).hexdigest()
    with engine.begin() as connection:
        connection.execute(insert(saved_plan).values(
            uai=plan.uai, computed_at=plan.computed_at, state_fingerprint=plan.state_fingerprint,
            content_sha256=digest, plan=document))
    return digest


def pending_plan(engine: Engine, uai: str) -> tuple[int, Plan] | None:
    """The newest plan of the school, if it was not applied yet."""
    query = (select(saved_plan.c.id, saved_plan.c.plan, saved_plan.c.applied_at)
             .where(saved_plan.c.uai == uai).order_by(saved_plan.c.id.desc()).limit(1))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.applied_at is not None:
        return None
    return row.id, from_json(row.plan, Plan)


def mark_applied(engine: Engine, plan_id: int, at: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(update(saved_plan).where(saved_plan.c.id == plan_id)
                           .values(applied_at=at))


@dataclass(frozen=True, slots=True)
class Approval:
    plan_id: int
    content_sha256: str
    approved_by: str | None
    approved_at: datetime | None


def approval_of(engine: Engine, plan_id: int) -> Approval:
    query = select(saved_plan.c.content_sha256, saved_plan.c.approved_by,
                   saved_plan.c.approved_at).where(saved_plan.c.id == plan_id)
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return Approval(plan_id, row.content_sha256, row.approved_by, row.approved_at)


def pending_approval(engine: Engine, uai: str) -> Approval | None:
    """The waiting plan's hash and approval, without reading the plan itself."""
    query = (select(saved_plan.c.id, saved_plan.c.content_sha256, saved_plan.c.approved_by,
                    saved_plan.c.approved_at, saved_plan.c.applied_at)
             .where(saved_plan.c.uai == uai).order_by(saved_plan.c.id.desc()).limit(1))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.applied_at is not None:
        return None
    return Approval(row.id, row.content_sha256, row.approved_by, row.approved_at)


def approve(engine: Engine, plan_id: int, content_sha256: str, by: str, at: datetime) -> bool:
    """Approve the plan of this hash; False if the saved plan is no longer that one."""
    with engine.begin() as connection:
        done = connection.execute(
            update(saved_plan).where((saved_plan.c.id == plan_id)
                                     & (saved_plan.c.content_sha256 == content_sha256)
                                     & saved_plan.c.applied_at.is_(None))
            .values(approved_by=by, approved_at=at))
    return bool(done.rowcount)
