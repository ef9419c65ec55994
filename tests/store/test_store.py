"""The store keeps what the rollover needs of a campaign, and nothing of the addresses or phones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bascule.exports.read import read_export
from bascule.exports.source import open_source
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.store.engine import open_store
from bascule.store.staging import latest_snapshot, stage_snapshot
from bascule.synthetic.generate import GeneratedCollege

MIGRATIONS = Path(__file__).parents[2] / "src" / "bascule" / "store" / "migrations" / "versions"


def test_staged_campaign_holds_no_address_phone_or_birthplace(
    generated: GeneratedCollege, tmp_path: Path,
) -> None:
    folder = generated.folders[0]
    exported = b"".join(open_source(p).data for p in folder.iterdir()).decode("iso-8859-15")
    context = ImportContext(school_uais=frozenset({generated.uai}), newest_staged_year={},
                            today=date(2026, 11, 28))
    snapshot, _ = build_snapshot([read_export(p) for p in sorted(folder.iterdir())], context)
    assert snapshot is not None
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert stage_snapshot(engine, snapshot, datetime(2026, 11, 28, tzinfo=UTC))
    assert not stage_snapshot(engine, snapshot, datetime(2026, 11, 29, tzinfo=UTC))
    staged = latest_snapshot(engine, generated.uai)
    assert staged is not None and staged.snapshot == snapshot
    stored = (tmp_path / "store.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("store.sqlite-*"))
    # The exports do carry addresses, phones and birthplaces...
    assert "rue des Écoles" in exported and "<TEL_PORTABLE>06" in exported
    assert "<VILLE_NAISS>POITIERS" in exported
    # ...the store does not.
    assert "rue des Écoles".encode() not in stored
    phones = re.findall(r"<TEL_PORTABLE>(\d+)<", exported)
    assert phones and not any(phone.encode() in stored for phone in phones)
    assert b"POITIERS" not in stored and b"86194" not in stored  # no birthplace


def test_the_store_is_migrated_once_and_reopened_as_is(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_store(url)
    engine = open_store(url)
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    newest = max(path.name[:4] for path in MIGRATIONS.glob("0*.py"))  # whoever adds the next
    assert (version, mode) == (newest, "wal")


def test_the_schema_is_checked_once_for_the_connections_kept(tmp_path: Path) -> None:
    """Opened again, the store is not asked its schema's version; once its connections are
    released (a restore, which may put back an older schema, disposes of them), it is."""
    from sqlalchemy import event

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = open_store(url)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    assert open_store(url) is engine
    assert sent == []
    engine.dispose()
    open_store(url)
    assert any("alembic_version" in statement for statement in sent)


def test_instants_round_trip_whatever_their_zone(tmp_path: Path) -> None:
    from sqlalchemy import select

    from bascule.domain.school import SCHOOL_TIMEZONE
    from bascule.store.schema import journal

    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    paris = datetime(2026, 8, 26, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    with engine.begin() as connection:
        connection.execute(journal.insert().values(at=paris, actor="t", uai="0860999U",
                                                   action="x", subject="y", detail="{}"))
    with engine.connect() as connection:
        stored = connection.execute(select(journal.c.at)).scalar_one()
    assert stored == paris and stored.tzinfo is not None


def test_a_campaign_and_what_is_written_along_it_commit_together(
    generated: GeneratedCollege, tmp_path: Path,
) -> None:
    context = ImportContext(school_uais=frozenset({generated.uai}), newest_staged_year={},
                            today=date(2026, 11, 28))
    folder = generated.folders[0]
    snapshot, _ = build_snapshot([read_export(p) for p in sorted(folder.iterdir())], context)
    assert snapshot is not None
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    written: list[object] = []

    def failing(_connection: object) -> None:
        raise RuntimeError("journal indisponible")

    with pytest.raises(RuntimeError):
        stage_snapshot(engine, snapshot, datetime(2026, 11, 28, tzinfo=UTC), along=failing)
    assert latest_snapshot(engine, generated.uai) is None
    assert stage_snapshot(engine, snapshot, datetime(2026, 11, 28, tzinfo=UTC),
                          along=written.append)
    assert len(written) == 1
    assert not stage_snapshot(engine, snapshot, datetime(2026, 11, 29, tzinfo=UTC),
                              along=written.append)
    assert len(written) == 1  # nothing staged, nothing written along


def test_every_journal_action_fits_the_journal_s_column() -> None:
    """PostgreSQL refuses a value longer than its column (SQLite never did): a journal line of
    a longer action failed there, and the apply, download or withdrawal that wrote it too."""
    from bascule.domain.labels import JOURNAL_ACTIONS
    from bascule.store.schema import journal

    width = journal.c.action.type.length  # type: ignore[attr-defined]
    assert [action for action in JOURNAL_ACTIONS if len(action) > width] == []
