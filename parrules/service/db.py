"""The database: SQLite embedded by default, PostgreSQL by URL; engines, transactions, migrations.

SQLite is opened in WAL mode with a busy timeout, and a write transaction starts with
`BEGIN IMMEDIATE`: it takes the write lock before it reads the versions it will check, so two
workers never both read version 3 and then fight over the upgrade to a write lock (SQLite would
refuse one with "database is locked" instead of making it wait). On PostgreSQL a write
transaction locks the campaign row it acts in (`FOR SHARE`, `FOR UPDATE` for a phase change), so a
save cannot slip past a phase transition committed in between.

Migrations run when the app starts (`migrate`), under a lock (an advisory lock on PostgreSQL, a
file lock beside the SQLite database), so several workers starting at once upgrade the schema once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATION_LOCK = 7_140_214  # the PostgreSQL advisory lock key the migrations hold


def make_engine(url: str) -> Engine:
    """An engine for `url`: `sqlite:///path` (the folder is created) or `postgresql+psycopg://…`
    (`postgresql://` is taken to mean psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL (readers do not block the writer), foreign keys enforced, and transactions begun by us:
    pysqlite's own BEGIN would come too late for `BEGIN IMMEDIATE`."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.info.get("write", False) or connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """The engine of one worker and the transactions it hands to requests (nothing else is kept)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writing = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads; closed at the end (what was read stays readable)."""
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends normally, rolled back on any error, so
        a change and its audit row are written together or not at all."""
        with self._writing() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("parrules.service") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, once even when several workers start together."""
    from alembic import command

    with _migration_lock(engine):
        command.upgrade(alembic_config(engine), "head")


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if is_sqlite(engine):
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: one process serves SQLite there
            yield
            return
        with open(f"{database}.migrate-lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, None for another database."""
    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


def environment_url() -> str | None:
    return os.environ.get("PARRULES_DATABASE_URL")
