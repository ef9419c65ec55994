"""Two indexes another one already serves, dropped: every insert kept them up to date for
nothing. person_source_id's on person_id is the start of its unique (person_id, scheme,
value); fact's on (uai, school_year, kind) is the start of its unique key (uai, school_year,
kind, subject, target, detail). Both databases look a row up by the start of an index.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_person_source_id_person_id", table_name="person_source_id")
    op.drop_index("ix_fact_year", table_name="fact")


def downgrade() -> None:
    op.create_index("ix_fact_year", "fact", ["uai", "school_year", "kind"])
    op.create_index("ix_person_source_id_person_id", "person_source_id", ["person_id"])
