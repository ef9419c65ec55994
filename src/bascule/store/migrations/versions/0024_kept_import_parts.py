"""What an import keeps for the next one (issue 22): its files' records and its build's parts.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staged_snapshot") as batch:
        batch.add_column(sa.Column("kept", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staged_snapshot") as batch:
        batch.drop_column("kept")
