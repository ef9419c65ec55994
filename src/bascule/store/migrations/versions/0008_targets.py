"""Directory targets and feeds: passwords sealed until delivered, deliveries, POSIX numbers,
the feeds' opaque person ids, plans' approvals, API tokens, and the
labels of each staged campaign's subjects (for the subject groups' names).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("saved_plan") as table:
        table.add_column(sa.Column("approved_by", sa.String(120), nullable=True))
        table.add_column(sa.Column("approved_at", _WHEN, nullable=True))
    with op.batch_alter_table("staged_snapshot") as table:
        table.add_column(sa.Column("subject_labels", sa.Text, nullable=True))
    staged = sa.table("staged_snapshot", sa.column("id", sa.Integer),
                      sa.column("snapshot", sa.Text), sa.column("subject_labels", sa.Text))
    connection = op.get_bind()
    for row in connection.execute(sa.select(staged.c.id, staged.c.snapshot)).all():
        subjects = json.loads(row.snapshot).get("subjects", [])
        labels = {s["code"]: s.get("long_label") or s.get("short_label") or s["code"]
                  for s in subjects}
        connection.execute(staged.update().where(staged.c.id == row.id).values(
            subject_labels=json.dumps(labels, ensure_ascii=False)))
    op.create_table(
        "pending_password",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("sealed_at", _WHEN, nullable=False),
        sa.Column("must_change", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "password_delivery",
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("sealed_at", _WHEN, nullable=False),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.UniqueConstraint("uai", "name", name="uq_api_token_name"),
    )
    op.create_table(
        "feed_id",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("value", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "posix_number",
        sa.Column("uai", sa.String(8), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.UniqueConstraint("uai", "owner", name="uq_posix_owner"),
        sa.UniqueConstraint("uai", "number", name="uq_posix_number"),
    )


def downgrade() -> None:
    with op.batch_alter_table("saved_plan") as table:
        table.drop_column("approved_at")
        table.drop_column("approved_by")
    with op.batch_alter_table("staged_snapshot") as table:
        table.drop_column("subject_labels")
    op.drop_table("posix_number")
    op.drop_table("feed_id")
    op.drop_table("api_token")
    op.drop_table("password_delivery")
    op.drop_table("pending_password")
