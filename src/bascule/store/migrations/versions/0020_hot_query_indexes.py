"""Indexes chosen from the query plans of the hot queries on a département-sized PostgreSQL
store (tests/e2e/test_postgres_plans.py): a school's delegations by name (the policy reads
them at every console request), a school's journal newest first (bascule audit, the Journal
page: ORDER BY id DESC LIMIT n stops after n rows instead of sorting the school's whole journal).

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_delegation_uai_name", "delegation", ["uai", "name"])
    op.create_index("ix_journal_uai_id", "journal", ["uai", "id"])


def downgrade() -> None:
    op.drop_index("ix_journal_uai_id", table_name="journal")
    op.drop_index("ix_delegation_uai_name", table_name="delegation")
