"""Digests chained to the import (issue 22): each staged campaign says what its build took
again from the previous one's (`chain`), each plan's basis the staged campaign it was planned
on and the élèves present then (`staged`, `present`). Older rows have none (NULL): the next
plan computes every digest, as before.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staged_snapshot") as batch:
        batch.add_column(sa.Column("chain", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("plan_basis") as batch:
        batch.add_column(sa.Column("staged", sa.String(64), nullable=True))
        batch.add_column(sa.Column("present", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_basis") as batch:
        batch.drop_column("present")
        batch.drop_column("staged")
    with op.batch_alter_table("staged_snapshot") as batch:
        batch.drop_column("chain")
