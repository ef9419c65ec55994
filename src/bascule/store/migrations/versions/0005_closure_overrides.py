"""Early reopenings (and re-closings) of the ENT during the rentrée closure.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closure_override",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False, index=True),
        sa.Column("profile", sa.String(24), nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("closure_override")
