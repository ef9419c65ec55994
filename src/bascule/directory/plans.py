"""Saved plans: what `plan` computed, kept with its hash until `apply` executes it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from bascule.directory.codec import from_json, to_json
from bascule.directory.schema import saved_plan
from bascule.plan.model import Plan


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
