"""The journal's action column widened from 16 to 32 characters: « mass_leave_confirmed »,
« fiches_telechargees » and « delegation_revoke » are longer than 16. SQLite never enforced
the width; PostgreSQL refused the line, so that an apply confirming mass departures, a
download of kept slips and a delegation withdrawn failed there and wrote nothing.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _retype(sa.String(16), sa.String(32))


def downgrade() -> None:
    _retype(sa.String(32), sa.String(16))


def _retype(old: sa.String, new: sa.String) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("journal", "action", type_=new, existing_type=old,
                        existing_nullable=False)
        return
    with op.batch_alter_table("journal") as batch:  # SQLite: the table is copied
        batch.alter_column("action", type_=new, existing_type=old, existing_nullable=False)
