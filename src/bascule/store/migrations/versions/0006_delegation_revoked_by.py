"""Who ended a delegation: a principal, or the rollover when its holder left.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegation") as table:
        table.add_column(sa.Column("revoked_by", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delegation") as table:
        table.drop_column("revoked_by")
