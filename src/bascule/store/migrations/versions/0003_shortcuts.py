"""The warnings of a staged campaign, and the fingerprint an apply left the directory in sync at.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staged_snapshot") as table:
        table.add_column(sa.Column("problems", sa.Text, nullable=True))
    with op.batch_alter_table("directory_version") as table:
        table.add_column(sa.Column("in_sync_fingerprint", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("directory_version") as table:
        table.drop_column("in_sync_fingerprint")
    with op.batch_alter_table("staged_snapshot") as table:
        table.drop_column("problems")
