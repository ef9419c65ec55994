"""The folder's other schools' élèves looked up by birth date (an élève the export gives no
INE, searched among them by names and birth date: plan/matching.py), through an index rather
than every person of the folder; partial, the responsables having no birth date to index.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_person_birth_date", "person", ["birth_date"],
                    sqlite_where=sa.text("birth_date IS NOT NULL"),
                    postgresql_where=sa.text("birth_date IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_person_birth_date", table_name="person")
