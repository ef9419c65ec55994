"""Where an account's current password comes from: the initial one, or a reset.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as table:
        table.add_column(sa.Column("password_origin", sa.String(16), nullable=False,
                                   server_default="initial"))


def downgrade() -> None:
    with op.batch_alter_table("account") as table:
        table.drop_column("password_origin")
