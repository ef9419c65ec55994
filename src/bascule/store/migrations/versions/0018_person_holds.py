"""Holds put on a person by hand (bascule hold, an action excluded at approval).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "person_hold",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False, index=True),
        sa.Column("person", sa.String(80), nullable=False),
        sa.Column("label", sa.String(400), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", sa.Date, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("removed_by", sa.String(120), nullable=True),
        sa.Column("removed_at", _WHEN, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("person_hold")
