"""Shared fixtures: a real database (SQLite or PostgreSQL), the Slack sandbox and the real bot.

TEST_DATABASE_URL picks the database (default: a temporary SQLite file). The schema is built
once per run with the real migrations; every test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app import logs
from app.clock import FrozenClock, system_clock
from app.db import migrate
from app.db.base import Base
from app.db.engine import make_engine
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from tests.support.factories import (
    ORG_TZ,
    SIGNING_SECRET,
    TEAM_ID,
    empty_tables,
    make_settings,
)
from tests.support.log_capture import Capture
from tests.support.outboxes import Outboxes


def _drop_everything(url: str) -> None:
    async def go() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await engine.dispose()

    asyncio.run(go())


def _migrate(url: str) -> None:
    async def go() -> None:
        engine = make_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(go())


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _drop_everything(url)
        _migrate(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="coach-test-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'test.db'}"
        _migrate(url)
        yield url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    box = SlackSandbox(team_id=TEAM_ID)
    await box.start()
    for user_id, tz in ORG_TZ.items():
        box.add_user(user_id, user_id.removeprefix("U0").title(), tz)
    yield box
    await box.stop()


@pytest.fixture
async def deps(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    built = Deps.build(make_settings(database_url, sandbox), system_clock)
    await empty_tables(built)
    yield built
    await built.close()


@pytest.fixture
async def bot(deps: Deps) -> AsyncIterator[RunningBot]:
    running = await start_bot(deps)
    yield running
    await running.stop()


@pytest.fixture
async def driver(sandbox: SlackSandbox, bot: RunningBot) -> AsyncIterator[SlackDriver]:
    client = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    yield client
    await client.close()


@pytest.fixture
async def outboxes() -> AsyncIterator[Outboxes]:
    """Builds outboxes (`outboxes(deps, owner)`) whose Slack sessions close when the test ends."""
    made = Outboxes()
    yield made
    await made.close()


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = (*logs.NEVER_DEBUG, *logs.QUIET)
    guarded = {name: logging.getLogger(name).level for name in names}
    factory = logging.getLogRecordFactory()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in guarded.items():
        logging.getLogger(name).setLevel(saved)
    logging.setLogRecordFactory(factory)


@pytest.fixture
def debug_capture(restored_logging: None, monkeypatch: pytest.MonkeyPatch) -> Capture:
    capture = Capture()
    logging.getLogger().addHandler(capture)
    monkeypatch.setenv("COACH_LOG_LEVEL", "DEBUG")
    logs.configure("INFO")
    return capture
