"""Every applied plan (history: who, when, counts, the backup taken before it) and what it changed
in the store, row by row, field by field (what an undo restores).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "applied_plan",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False, index=True),
        sa.Column("saved_plan_id", sa.Integer, nullable=True),
        sa.Column("applied_at", _WHEN, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("backup", sa.String(120), nullable=True),
        sa.Column("undoes", sa.Integer, nullable=True),
    )
    op.create_table(
        "applied_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("apply_id", sa.Integer, sa.ForeignKey("applied_plan.id"), nullable=False,
                  index=True),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("row_key", sa.Text, nullable=False),
        sa.Column("person_key", sa.String(120), nullable=True),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("applied_change")
    op.drop_table("applied_plan")
