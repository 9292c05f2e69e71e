"""Pooled PostgreSQL connections are pinged only after idling (app/db/liveness.py): one that
died while idle is replaced unseen; one that dies inside the window costs one statement, and
the pool then drops the rest of its generation."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.engine import make_engine
from tests.support.factories import is_postgres

pytestmark = pytest.mark.postgres_only


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def terminate(engine: AsyncEngine, pid: int) -> None:
    """Kill one backend from outside the pool, as a restart or a firewall would."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


@contextlib.asynccontextmanager
async def one_connection(
    database_url: str, ping_after_idle_s: float
) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """A pool of one connection, used once and then killed while back in the pool (its pid);
    on the way out, the pool holds a new connection."""
    if not is_postgres(database_url):
        pytest.skip("only PostgreSQL connections are pinged: SQLite has no server to lose")
    engine = make_engine(
        database_url, ping_after_idle_s=ping_after_idle_s, pool_size=1, max_overflow=0
    )
    killer = make_engine(database_url)
    try:
        first = await backend_pid(engine)
        await terminate(killer, first)
        yield engine, first
        assert await backend_pid(engine) != first  # the pool has a new connection
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_a_connection_that_died_while_idle_is_replaced_before_use(database_url: str) -> None:
    async with one_connection(database_url, ping_after_idle_s=0.0) as (engine, first):
        assert await backend_pid(engine) != first  # pinged, found dead, replaced: no error


async def test_a_connection_back_a_moment_ago_is_not_pinged(database_url: str) -> None:
    async with one_connection(database_url, ping_after_idle_s=3600.0) as (engine, _):
        with pytest.raises(DBAPIError):  # used unpinged: the one statement that fails
            await backend_pid(engine)
