"""The night handed to workers (issue 21): night_run and night_job, and on PostgreSQL the task
queue's own schema (procrastinate's tables and functions, applied once, never on SQLite).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "night_run",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("waited", sa.Boolean, nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
    )
    op.create_table(
        "night_job",
        sa.Column("run_id", sa.String(36), sa.ForeignKey("night_run.id"), primary_key=True),
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("steps", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        from bascule.store.task_queue import apply_queue_schema

        apply_queue_schema(op.get_bind())


def downgrade() -> None:
    op.drop_table("night_job")
    op.drop_table("night_run")
