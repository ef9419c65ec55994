"""When each plan was really computed (the machine's clock), apart from the moment it was
computed for (`computed_at`, a rehearsal's `--at`): a rehearsal's plan is then known as one,
and refused on any other day than its own. Older plans have none (NULL): said, not refused.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.add_column(sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.drop_column("saved_at")
