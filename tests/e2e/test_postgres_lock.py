"""Two folders on two machines sharing one PostgreSQL store: one change to a school at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from bascule.errors import UserError
from bascule.operations.locks import school_lock
from tests.conftest import UAI


def test_two_folders_sharing_a_postgresql_store_wait_for_each_other(
        tmp_path: Path, postgres_url: str) -> None:
    first, second = (create_engine(postgres_url, poolclass=NullPool) for _ in range(2))
    with school_lock(tmp_path / "poste-a", UAI, "apply", engine=first):
        with pytest.raises(UserError, match="depuis un autre poste qui partage la même base"), \
                school_lock(tmp_path / "poste-b", UAI, "apply", wait_seconds=0.3, engine=second):
            pass
        with school_lock(tmp_path / "poste-b", "0860998T", "apply", engine=second):
            pass  # another school is free
    with school_lock(tmp_path / "poste-b", UAI, "apply", wait_seconds=1, engine=second):
        pass  # released with its holder
