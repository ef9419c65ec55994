"""Opening the store: one engine per URL and process, the schema brought to the newest Alembic
migration, SQLite's pragmas (WAL, foreign keys), PostgreSQL's pool of kept connections."""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, Pool, QueuePool

from bascule.errors import STORE_WAIT_MINUTES, UserError
from bascule.store.advisory import lock_key
from bascule.store.schema import metadata

_MIGRATIONS = Path(__file__).parent / "migrations"


def open_store(url: str) -> Engine:
    """Connect and bring the schema to the newest migration.

    The engine of a URL is made once per process, and the migrations run only when the schema
    is behind: the console opens the store on every request, from several threads (Alembic's
    context is not thread-safe, hence the lock). The schema is checked once per pool of
    connections (each check is a few round trips, and a rollover opens the store a few times a
    command): it only moves forward, and a restore, which may put back an older one, disposes
    of the pool (`restore_backup`), so that the next opening checks again. PostgreSQL: a pool
    of kept connections (`configure_pool`), a new connection costs a round trip,
    authentication and a backend process; a process that uses the store is started, not forked
    from one that did (the night's pool spawns its processes). A SQLite file's connections are
    kept for the process too (opening one costs its pragmas; a command used to open and close
    one per query), until `release_connections`."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _new_engine(url, pool=_POOLS.get(url, PoolSizes()))
    pool = engine.pool
    if pool in _AT_NEWEST:
        return engine
    try:
        if not _at_newest_migration(engine):
            with _ENGINES_LOCK, engine.begin() as connection:
                _wait_for_other_migrators(connection)
                config = _alembic_config()
                config.attributes["connection"] = connection
                if _holds_no_store(connection):
                    _create_newest(connection, config)
                else:
                    command.upgrade(config, "head")
    except CommandError as exc:  # stamped by a newer bascule: a revision this one lacks
        raise UserError(f"La base {engine.url.render_as_string(hide_password=True)} a été "
                        "mise à jour par une version plus récente de bascule : celle-ci ne "
                        f"sait pas la lire (détail technique : {exc}).",
                        hint="Lancez la version de bascule qui l'a mise à jour, ou une plus "
                             "récente.") from exc
    except SQLAlchemyError as exc:
        detail = exc.orig if isinstance(exc, DBAPIError) else exc
        raise UserError(f"La base {engine.url.render_as_string(hide_password=True)} est "
                        f"inaccessible (détail technique : {detail})",
                        hint=_unreachable_hint(engine)) from exc
    _AT_NEWEST.add(pool)
    return engine


_ENGINES: dict[str, Engine] = {}
_AT_NEWEST: weakref.WeakSet[Pool] = weakref.WeakSet()  # pools whose schema was found newest
_ENGINES_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class PoolSizes:
    """A PostgreSQL store's pool in each process ([store] pool_size, pool_max_overflow,
    pool_timeout_s): `size` connections kept open, up to `overflow` more opened at a peak and
    closed after it, `timeout_s` seconds to wait for a free one before failing."""

    size: int = 5
    overflow: int = 10
    timeout_s: int = 30


_POOLS: dict[str, PoolSizes] = {}


def configure_pool(url: str, sizes: PoolSizes) -> None:
    """The pool of this URL's engine in this process, from the settings (load_settings): an
    engine made with other sizes is replaced."""
    with _ENGINES_LOCK:
        if _POOLS.get(url) == sizes:
            return
        _POOLS[url] = sizes
        previous = _ENGINES.pop(url, None)
    if previous is not None:
        previous.dispose()


def release_connections() -> None:
    """Close every connection kept by this process's engines (they open new ones if used
    again): before the store's files are replaced or removed under a running process."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
    for engine in engines:
        engine.dispose()


def _unreachable_hint(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return "Vérifiez store.url dans bascule.toml et les droits sur le dossier de la base."
    return ("Vérifiez store.url dans bascule.toml (hôte, port, base, utilisateur), que le "
            "serveur PostgreSQL est démarré et joignable depuis cette machine, et le mot de "
            "passe dans ~/.pgpass.")


# How long a write to a SQLite store waits for another writer (seconds). Two schools of one
# folder share its file: the night plans and applies them side by side, and an apply holds the
# file from its first write to its commit, hashing passwords and writing slips meanwhile (a
# large collège's first rollover, on a busy machine: a minute or more). SQLite's own default,
# 5 s, failed the other school's import, plan or apply with « database is locked » (newcomer
# 10). Readers never wait (WAL). `hide_parameters`, on both databases: an error's text never
# carries the values of a statement (pupils' names and birth dates), wherever it is shown.
SQLITE_WRITER_WAIT_S = STORE_WAIT_MINUTES * 60.0


def _new_engine(url: str, *, pool: PoolSizes) -> Engine:
    if url.startswith("postgresql"):
        # pre_ping: a connection the server closed meanwhile (restart, idle timeout) is
        # replaced before use instead of failing the query; recycled after an hour.
        # Statements never prepared by psycopg (it prepares one run five times on a
        # connection): PostgreSQL may then plan it once for any values, and a lookup of a list
        # (`batch.among`, `= ANY(:list)`) guesses the list's length and the table's size; on a
        # table not yet analysed it walks every row for each value (measured: 0.7 s instead of
        # 3 ms for 500 logins among 20,000). Unprepared, each is planned with its values.
        return create_engine(url, poolclass=_KeptPool, pool_size=pool.size,
                             max_overflow=pool.overflow, pool_timeout=pool.timeout_s,
                             pool_pre_ping=True, pool_recycle=3600, hide_parameters=True,
                             connect_args={"prepare_threshold": None})
    # SQLite keeps its connections too: no server to hold them, and WAL lets readers and the
    # one writer share the file, so a kept idle connection blocks nobody. A writer waits its
    # turn (`timeout`: SQLite's busy wait) for as long as another's apply may hold the file.
    engine = create_engine(url, hide_parameters=True,
                           connect_args={"timeout": SQLITE_WRITER_WAIT_S})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database and engine.url.database != ":memory:":
            _keep_private(Path(engine.url.database))
    return engine


class _KeptPool(QueuePool):
    """A QueuePool whose connections still checked out when it is disposed (a restore of the
    store, new pool settings) are closed when they come back, instead of being left to the
    garbage collector with their server session open."""

    _disposed = False

    def dispose(self) -> None:
        self._disposed = True
        super().dispose()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        if self._disposed:
            record.close()
        else:
            super()._do_return_conn(record)


def _keep_private(database: Path) -> None:
    """The store holds personal data: its file is created readable by its owner only, whatever
    the umask (SQLite gives its -wal and -shm files the database's own mode), and a store made
    world-readable by an older version is closed back."""
    if database.parent.is_dir():
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


# PostgreSQL's advisory lock of the migrations, numbered as the others (store/advisory.py; the
# schools' hash "bascule:<UAI>": no UAI is "migrations").
_MIGRATIONS_LOCK_KEY = lock_key("bascule:migrations")


def _wait_for_other_migrators(connection: Connection) -> None:
    """On PostgreSQL, one process at a time upgrades the schema: the workers and the console
    started together on a fresh store would all create the same tables, and all but one fail.
    The lock lasts the upgrade's transaction; whoever waited then reads the committed
    alembic_version (READ COMMITTED) and has nothing left to do."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": _MIGRATIONS_LOCK_KEY})


def _holds_no_store(connection: Connection) -> bool:
    """No table of the store's, nor Alembic's version: a new database (or SQLite file)."""
    tables = set(inspect(connection).get_table_names())
    return not tables & {"alembic_version", *metadata.tables}


def _create_newest(connection: Connection, config: Config) -> None:
    """A new store made at once as the migrations would leave it, stamped with the newest:
    the declared schema's tables, indexes and constraints, and on PostgreSQL the task queue's
    (migration 0021), in one transaction. Replaying the 25 migrations one by one cost a new
    store 90 statements (SQLite's batch copies of tables, PostgreSQL's round trips): twice the
    time. tests/store/test_migrations.py checks that both give the same schema, on both
    databases; a migration that adds rows (none does) would have to be made here too."""
    metadata.create_all(connection, checkfirst=False)
    if connection.dialect.name == "postgresql":
        from bascule.store.task_queue import apply_queue_schema

        apply_queue_schema(connection)
    command.stamp(config, "head")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@cache
def _newest_migration() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _at_newest_migration(engine: Engine) -> bool:
    """One query instead of loading every migration script on each opening."""
    try:
        with engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")
                                         ).scalar()
    except SQLAlchemyError:  # no schema yet (or unreachable: the upgrade will say so)
        return False
    return current is not None and current == _newest_migration()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
