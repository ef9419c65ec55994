"""The review queue: people of an export held until someone says who they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_case",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("person", sa.String(80), nullable=False),
        sa.Column("label", sa.String(400), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review", sa.Text, nullable=False),
        sa.Column("opened_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("choice", sa.String(16), nullable=True),
        sa.Column("candidates", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("before", sa.Text, nullable=True),
        sa.UniqueConstraint("uai", "person", name="uq_review_case"),
    )


def downgrade() -> None:
    op.drop_table("review_case")
