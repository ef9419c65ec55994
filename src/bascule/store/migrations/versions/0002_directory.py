"""The directory: people, their ids, accounts, logins, yearly facts, journal, saved plans.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("profile", sa.String(24), nullable=False),
        sa.Column("last_name", sa.String(200), nullable=False),
        sa.Column("birth_name", sa.String(200), nullable=True),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("function", sa.String(8), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("uai", "key", name="uq_person_key"),
    )
    op.create_table(
        "person_source_id",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False,
                  index=True),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.UniqueConstraint("person_id", "scheme", "value", name="uq_person_source_id"),
    )
    op.create_index("ix_person_source_id_value", "person_source_id", ["scheme", "value"])
    op.create_table(
        "account",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_since", _WHEN, nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_table(
        "login",
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("namespace", sa.String(8), nullable=False),
        sa.Column("login", sa.String(20), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False,
                  index=True),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("freed_at", _WHEN, nullable=True),
        sa.UniqueConstraint("uai", "namespace", "login", name="uq_login"),
    )
    op.create_table(
        "fact",
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("school_year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("target", sa.String(120), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.UniqueConstraint("uai", "school_year", "kind", "subject", "target", "detail",
                            name="uq_fact"),
    )
    op.create_index("ix_fact_year", "fact", ["uai", "school_year", "kind"])
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "directory_version",
        sa.Column("uai", sa.String(8), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "saved_plan",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False, index=True),
        sa.Column("computed_at", _WHEN, nullable=False),
        sa.Column("state_fingerprint", sa.String(120), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("applied_at", _WHEN, nullable=True),
    )


def downgrade() -> None:
    for table in ("saved_plan", "directory_version", "journal", "fact", "login", "account",
                  "person_source_id", "person"):
        op.drop_table(table)
