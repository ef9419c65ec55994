"""How many actions a saved plan has, kept beside it: an empty plan (the night's, or
`bascule plan` with nothing to do) is not « à approuver » in `bascule status` and the
console's dashboard, which read no plan. Older plans have none (NULL): shown as before.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.add_column(sa.Column("actions", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.drop_column("actions")
