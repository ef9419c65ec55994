"""The AAF state of each school (its last Complet with the Deltas since), read and written."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, select

from bascule.snapshot.aaf_deliveries import AafState
from bascule.store.codec import from_json, to_json
from bascule.store.schema import aaf_state


def load_aaf_states(engine: Engine, uais: Iterable[str]) -> dict[str, AafState]:
    query = select(aaf_state.c.uai, aaf_state.c.state).where(aaf_state.c.uai.in_(sorted(uais)))
    with engine.connect() as connection:
        return {row.uai: from_json(row.state, AafState) for row in connection.execute(query)}


def save_aaf_state(connection: Connection, state: AafState) -> None:
    connection.execute(aaf_state.delete().where(aaf_state.c.uai == state.uai))
    connection.execute(aaf_state.insert().values(
        uai=state.uai, complete_date=state.complete_date, last_date=state.last_date,
        state=to_json(state)))


def forget_aaf_state(connection: Connection, uai: str) -> None:
    """A school now fed by the raw exports: a later AAF Delta must not apply on its old records."""
    connection.execute(aaf_state.delete().where(aaf_state.c.uai == uai))
