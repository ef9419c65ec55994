"""A store made by the layout before store/ and operations/ (the store was bascule/directory/,
commit 5433b71) opens with today's code, is brought to the newest migration, and reads back.

tests/fixtures/stores/previous-layout-5433b71.sqlite was made by that commit's code: `bascule
init --uai 0860999U`, then `import` of tests/fixtures/college, `plan` and `apply --yes` at
2026-09-10T10:00 (its pages then packed to 1 KiB by VACUUM, to keep the file small)."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

import bascule.store
from bascule.store.accounts import list_accounts
from bascule.store.engine import open_store
from bascule.store.schema import metadata
from tests.conftest import UAI

PREVIOUS = Path(__file__).parents[1] / "fixtures" / "stores" / "previous-layout-5433b71.sqlite"
MIGRATIONS = Path(bascule.store.__file__).parent / "migrations"


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


def test_a_store_of_the_previous_layout_opens_upgrades_and_reads_its_accounts(
        tmp_path: Path) -> None:
    copy = tmp_path / "bascule.sqlite"
    shutil.copyfile(PREVIOUS, copy)
    url = f"sqlite:///{copy}"
    assert _revision(url) == "0008"  # the newest migration of commit 5433b71

    engine = open_store(url)
    newest = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert _revision(url) == newest
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []

    rows = list_accounts(engine, UAI)
    assert sorted(row.login or row.educonnect or "" for row in rows) == [
        "cdurand", "h.martin", "idasilva", "j.boeuf", "jlegoff", "lcoeurleger", "lfrancois",
        "lmartin", "lmartin2", "p.martin", "sgarnier", "temery", "zoeillet"]
    assert {row.status for row in rows} == {"active"}
    assert {row.login: row.division for row in rows if row.profile == "eleve"} == {
        "lcoeurleger": "5 B/1", "lmartin": "6A", "lmartin2": "6A", "temery": "6A"}
