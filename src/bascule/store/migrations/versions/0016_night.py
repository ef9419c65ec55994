"""The nightly run: each school's progress step by step, and the plans it held.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "night_step",
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("step", sa.String(16), primary_key=True),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "night_hold",
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("night_hold")
    op.drop_table("night_step")
