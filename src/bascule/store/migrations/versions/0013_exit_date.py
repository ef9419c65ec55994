"""An élève's DATE_SORTIE still to come, so that it takes effect once passed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as table:
        table.add_column(sa.Column("exit_date", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as table:
        table.drop_column("exit_date")
