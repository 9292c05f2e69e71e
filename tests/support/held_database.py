"""A database another transaction holds: the locks coach needs, held longer than Slack waits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text

from app.deps import Deps
from tests.support.factories import is_postgres

# --- a database another transaction holds -------------------------------------------
HELD_S = 4.0  # longer than Slack's 3 s


async def hold_the_database(deps: Deps, started: asyncio.Event, *, reads_too: bool) -> None:
    """Another writer holding the locks coach needs for HELD_S seconds: every lock on the
    people table (`reads_too`), or only what a writer needs (reads go on)."""
    async with deps.engine.connect() as connection:
        if is_postgres(str(deps.engine.url)):
            mode = "ACCESS EXCLUSIVE" if reads_too else "EXCLUSIVE"
            await connection.execute(text("BEGIN"))
            await connection.execute(text(f"LOCK TABLE person IN {mode} MODE"))
        else:  # SQLite has one lock, the write lock; WAL readers never wait for it
            await connection.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock
        started.set()
        await asyncio.sleep(HELD_S)
        await connection.rollback()


@contextlib.asynccontextmanager
async def database_held(deps: Deps, *, reads_too: bool = True) -> AsyncIterator[None]:
    started = asyncio.Event()
    holder = asyncio.create_task(hold_the_database(deps, started, reads_too=reads_too))
    await started.wait()
    yield
    await holder
