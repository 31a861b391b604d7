"""Engines, connections and migrations for both supported databases."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
from sqlalchemy.pool import StaticPool

from storage.crypto import Cipher
from storage.matching import track_pool_changes
from storage.models.base import CIPHER_ATTRIBUTE
from storage.rows import json_loads

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock up front.

    A deferred transaction that reads and then writes fails at once with "database is locked"
    when another writer got in between; starting IMMEDIATE makes it wait (busy timeout) instead.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


POOL_RECYCLE_SECONDS = 1800


def create_db_engine(url: str) -> Engine:
    """``hide_parameters``: a database error quotes its statement, and its parameters are what
    people wrote (reflections, notes); logged errors keep the SQL and lose the values."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=StaticPool if memory else None,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    # No ping per checkout (a round trip on every request): a connection found dead (failover,
    # restart) invalidates the whole pool, so one failed statement and the pool starts afresh;
    # pool_recycle retires connections before servers or proxies drop idle ones.
    return create_engine(
        url,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
        json_deserializer=json_loads,
    )


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["engine"] = engine
    return config


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def use_cipher(self, cipher: Cipher) -> None:
        """Encrypt what people write privately from now on (a no-op cipher: store it plain).

        Rows written before a key was set still read; they are encrypted when next saved.
        """
        setattr(self.engine.dialect, CIPHER_ATTRIBUTE, cipher)

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run on every start."""
        command.upgrade(alembic_config(self.engine), "head")

    def pending_migrations(self) -> list[str]:
        """Revisions not yet applied, oldest first (``readyz`` and ``migrate`` report them).

        The migration scripts are read once per process (some 50 ms, and ``/readyz`` is
        asked every few seconds by each load balancer): they do not change under it."""
        script = _scripts(str(MIGRATIONS))
        with self.engine.connect() as connection:
            current = tuple(MigrationContext.configure(connection).get_current_heads())
        every = [rev.revision for rev in script.iterate_revisions("heads", "base")]
        applied: set[str] = set()
        if current:
            applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
        return [revision for revision in reversed(every) if revision not in applied]

    def dispose(self) -> None:
        self.engine.dispose()


@functools.cache
def _scripts(location: str) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", location)
    script = ScriptDirectory.from_config(config)
    script.revision_map.heads  # noqa: B018 (the revisions, read now and kept)
    return script


def connect(url: str) -> Database:
    """The database, its mappers configured: SQLAlchemy does that on the first query or
    row made otherwise, 12 ms of whichever request or job comes first in a process."""
    engine = create_db_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    track_pool_changes(sessions)
    configure_mappers()
    return Database(engine=engine, sessions=sessions)
