"""The journal read by action since a moment, through an index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_journal_action_at", "journal", ["uai", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_journal_action_at", table_name="journal")
