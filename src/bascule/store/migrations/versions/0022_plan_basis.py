"""What a saved plan settled, for the next plan's work proportional to the change (issue 22).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_basis",
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("plan_sha256", sa.String(64), primary_key=True),
        sa.Column("applied_version", sa.Integer, nullable=True),
        sa.Column("context", sa.String(64), nullable=False),
        sa.Column("people", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("plan_basis")
