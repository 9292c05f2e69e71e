"""SQLite: the process's writers take turns on one connection, in the order they asked, and
readers never wait for them (app/db/engine.py, `make_writer`)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from app.deps import Deps


@pytest.fixture
def sqlite_deps(deps: Deps) -> Deps:
    if deps.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has many writers: read-write sessions use the one engine")
    return deps


async def test_a_second_writer_waits_for_the_connection_not_for_sqlites_lock(
    sqlite_deps: Deps,
) -> None:
    deps = sqlite_deps
    order: list[str] = []
    first_holds, first_may_end = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with deps.db.begin() as session:
            await session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held
            first_holds.set()
            await first_may_end.wait()
            order.append("first ends")

    async def second() -> None:
        await first_holds.wait()
        async with deps.db.begin() as session:
            await session.execute(text("SELECT 1"))
            order.append("second runs")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_holds.wait()
    for _ in range(20):  # let the second writer go as far as it can
        await asyncio.sleep(0.01)
    # It waits on the event loop for the writers' one connection: it has not taken a second
    # connection into SQLite's busy handler, which would sleep between tries for the lock.
    assert deps.writer.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert order == []
    async with deps.reads() as session:  # a reader goes on meanwhile
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    first_may_end.set()
    await asyncio.gather(*tasks)
    assert order == ["first ends", "second runs"]


async def test_postgresql_writers_use_the_one_engine(deps: Deps) -> None:
    if deps.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's writers have an engine of their own")
    assert deps.writer is deps.engine
