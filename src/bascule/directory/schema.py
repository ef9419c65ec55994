"""The tables, as SQLAlchemy Core metadata. Portable SQL only: the same code runs on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# One row per staged campaign: the validated snapshot of one import, kept as history. The newest
# row of a UAI is the campaign the plan (issue "rollover core") will read.
staged_snapshot = Table(
    "staged_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("school_year", Integer, nullable=False),
    Column("export_date", Date, nullable=True),
    Column("staged_at", DateTime(timezone=True), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("sources", Text, nullable=False),  # JSON: file names, kinds and hashes
    Column("snapshot", Text, nullable=False),  # JSON of the Snapshot value
    UniqueConstraint("uai", "content_sha256", name="uq_staged_snapshot_content"),
)
