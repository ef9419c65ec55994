"""The nightly run's records (operations/night): each school's progress step by step, and the
plan a night held for a person to approve."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from bascule.store.schema import night_hold, night_step


def step_signatures(connection: Connection, uai: str) -> dict[str, str]:
    """step -> the input it last finished with."""
    rows = connection.execute(select(night_step.c.step, night_step.c.signature)
                              .where(night_step.c.uai == uai))
    return {step: signature for step, signature in rows}


def mark_step(connection: Connection, uai: str, step: str, signature: str,
              at: datetime) -> None:
    """The step finished with this input: the next run skips it while the input stays."""
    connection.execute(delete(night_step).where((night_step.c.uai == uai)
                                                & (night_step.c.step == step)))
    connection.execute(insert(night_step).values(uai=uai, step=step, signature=signature,
                                                 done_at=at))


def forget_steps(connection: Connection, uai: str, steps: tuple[str, ...]) -> None:
    connection.execute(delete(night_step).where((night_step.c.uai == uai)
                                                & night_step.c.step.in_(steps)))


@dataclass(frozen=True, slots=True)
class NightHold:
    plan_sha256: str
    reasons: tuple[str, ...]
    held_at: datetime


def held_plan(connection: Connection, uai: str) -> NightHold | None:
    row = connection.execute(select(night_hold).where(night_hold.c.uai == uai)).first()
    if row is None:
        return None
    return NightHold(row.plan_sha256, tuple(json.loads(row.reasons)), row.held_at)


def hold_plan(connection: Connection, uai: str, hold: NightHold) -> None:
    release_plan(connection, uai)
    connection.execute(insert(night_hold).values(
        uai=uai, plan_sha256=hold.plan_sha256, held_at=hold.held_at,
        reasons=json.dumps(list(hold.reasons), ensure_ascii=False)))


def release_plan(connection: Connection, uai: str) -> None:
    connection.execute(delete(night_hold).where(night_hold.c.uai == uai))

