"""On PostgreSQL, migration 0019 turns the JSON campaigns and plans of an older store into bytea
that still reads, and new ones are stored in the binary format."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

import bascule.store
from bascule.domain.school import SchoolYear
from bascule.plan.model import Plan
from bascule.snapshot.model import Snapshot, SourceFile
from bascule.store.codec import MSGPACK_ZSTD, decode
from bascule.store.engine import open_store
from bascule.store.plans import save_plan
from bascule.store.schema import saved_plan, staged_snapshot
from tests.conftest import UAI
from tests.store.test_codec import _cattrs_json, _plan, _update

AT = datetime(2026, 9, 2, 8, tzinfo=UTC)
MIGRATIONS = Path(bascule.store.__file__).parent / "migrations"


def _campaign() -> Snapshot:
    return Snapshot(uai=UAI, school_year=SchoolYear(2026), export_date=date(2026, 9, 1),
                    sources=(SourceFile(name="ElevesSansAdresses.xml", kind="BEE_ELEVES",
                                        sha256="ab" * 32),),
                    eleves=(), responsables=(), guardianships=(), staff=(), divisions=(),
                    groups=(), services=(), profs_principaux=(), subjects=(), mefs=())


def _older_store(url: str, campaign: Snapshot, plan: Plan) -> None:
    """A store at migration 0018 holding a campaign and a plan as the cattrs JSON of then."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0018")
        connection.execute(text(
            "INSERT INTO staged_snapshot (uai, school_year, staged_at, content_sha256, sources, "
            "snapshot) VALUES (:uai, 2026, :at, :sha, '[]', :document)"),
            {"uai": UAI, "at": AT, "sha": "1" * 64, "document": _cattrs_json(campaign)})
        connection.execute(text(
            "INSERT INTO saved_plan (uai, computed_at, state_fingerprint, content_sha256, plan) "
            "VALUES (:uai, :at, 'x', :sha, :document)"),
            {"uai": UAI, "at": AT, "sha": "2" * 64, "document": _cattrs_json(plan)})
    engine.dispose()


def test_an_older_store_on_postgresql_is_migrated_to_bytea_and_read(postgres_url: str) -> None:
    campaign, plan = _campaign(), _plan(_update())
    _older_store(postgres_url, campaign, plan)
    engine = open_store(postgres_url)
    with engine.connect() as connection:
        types = dict(connection.execute(text(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE column_name IN ('snapshot', 'plan')")).all())
        assert types == {"snapshot": "bytea", "plan": "bytea"}
        stored = connection.execute(select(staged_snapshot.c.snapshot)).scalar_one()
        assert decode(stored, Snapshot) == campaign
        assert decode(connection.execute(select(saved_plan.c.plan)).scalar_one(), Plan) == plan
    save_plan(engine, plan)
    with engine.connect() as connection:
        newest = connection.execute(select(saved_plan.c.plan).order_by(
            saved_plan.c.id.desc()).limit(1)).scalar_one()
    assert newest[:1] == MSGPACK_ZSTD and decode(newest, Plan) == plan
