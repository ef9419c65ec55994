"""The staged campaign and the saved plan become binary (MessagePack compressed, store/codec.py):
bytea on PostgreSQL, BLOB on SQLite. The JSON already stored is kept as its UTF-8 bytes, which
the codec still reads (it starts with "{", never the new format's byte).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_DOCUMENTS = (("staged_snapshot", "snapshot"), ("saved_plan", "plan"))


def upgrade() -> None:
    for table, column in _DOCUMENTS:
        _retype(table, column, sa.Text(), sa.LargeBinary(), f"convert_to({column}, 'UTF8')")


def downgrade() -> None:
    # Only JSON documents go back: campaigns and plans saved in the new format must be
    # imported and planned again by the older version (it cannot read them).
    for table, column in _DOCUMENTS:
        op.execute(sa.text(f"DELETE FROM {table} WHERE substr({column}, 1, 1) <> :json")
                   .bindparams(sa.bindparam("json", b"{", sa.LargeBinary())))
        _retype(table, column, sa.LargeBinary(), sa.Text(), f"convert_from({column}, 'UTF8')")


def _retype(table: str, column: str, old: sa.types.TypeEngine[Any],
            new: sa.types.TypeEngine[Any], postgresql_using: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=False,
                        postgresql_using=postgresql_using)
        return
    with op.batch_alter_table(table) as batch:  # SQLite: the table is copied, values cast
        batch.alter_column(column, type_=new, existing_type=old, existing_nullable=False)
