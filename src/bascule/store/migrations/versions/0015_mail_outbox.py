"""The mail outbox: every mail recorded, sent or failed, failures kept until a digest reports
them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("uai", sa.String(8), nullable=True),
        sa.Column("topic", sa.String(200), nullable=True),
        sa.Column("dedup_key", sa.String(200), nullable=True, unique=True),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.Column("failure", sa.Text, nullable=True),
        sa.Column("reported_at", _WHEN, nullable=True),
    )
    op.create_index("ix_mail_outbox_topic", "mail_outbox", ["topic"])


def downgrade() -> None:
    op.drop_index("ix_mail_outbox_topic", "mail_outbox")
    op.drop_table("mail_outbox")
