"""The deletion breaker's reference: per school, school year and profile, the most active
accounts seen since the year's first apply or the last confirmed mass departure.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaker_mark",
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("school_year", sa.Integer, primary_key=True),
        sa.Column("profile", sa.String(24), primary_key=True),
        sa.Column("active", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("breaker_mark")
