"""One engine and two session factories per process (read-write, read-only); SQLite gets WAL,
a busy timeout, the write lock up front in read-write transactions only, and one connection
for the process's writers (`make_writer`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.db.liveness import PING_AFTER_IDLE_S, ping_when_idle

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_ONLY = "coach_read_only"  # execution option of the read-only session factory


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so "begin" below decides it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred read-then-write transaction
        # fails at once with "database is locked" even with a busy timeout. A read-only one
        # needs no lock at all (WAL readers never wait for the writer), so it stays deferred.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    database_url: str, *, ping_after_idle_s: float = PING_AFTER_IDLE_S, **kwargs: Any
) -> AsyncEngine:
    """The process's engine. Its errors and logs never show a statement's parameters: they
    are what people typed (a failed notes write would otherwise quote the notes). A pooled
    PostgreSQL connection is pinged before use only after idling (app/db/liveness.py)."""
    kwargs.setdefault("hide_parameters", True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    engine = create_async_engine(url, **kwargs)
    ping_when_idle(engine, ping_after_idle_s)
    return engine


def make_writer(engine: AsyncEngine) -> AsyncEngine:
    """The engine read-write sessions use. PostgreSQL: `engine` itself. SQLite has one writer
    at a time: a second one waits in SQLite's busy handler, which sleeps between tries (1 ms,
    then 2, 5, 10 … up to 100 ms) and leaves the lock idle while it sleeps. So the process's
    writers share one connection of their own: each waits on the event loop for it and gets it
    the moment the one before commits. The wait is bounded as the busy timeout is; writers in
    other processes still meet the busy timeout. Readers keep `engine`'s pool (WAL readers
    never wait for the writer)."""
    if engine.dialect.name != "sqlite":
        return engine
    writer = create_async_engine(
        engine.url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        hide_parameters=True,
    )
    _tune_sqlite(writer)
    return writer


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for answers that only read: on SQLite they never queue for the write lock;
    PostgreSQL refuses any write in them (a read-only transaction), so a slip shows in tests."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return async_sessionmaker(engine.execution_options(**options), expire_on_commit=False)
