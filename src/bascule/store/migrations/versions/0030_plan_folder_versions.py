"""The directory versions of the folder's other schools a plan read before their EduConnect
ids: its apply looks each id it gives up in the others' logins only when one of them applied
since (a first rollover's thousands of lookups, a school after another, found nothing). Older
plans have none (NULL): every id is looked up, as before.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.add_column(sa.Column("folder_versions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("saved_plan") as batch:
        batch.drop_column("folder_versions")
