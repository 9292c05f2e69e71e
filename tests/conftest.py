"""Shared fixtures: a real database (SQLite or PostgreSQL), the Slack sandbox and the real bot.

TEST_DATABASE_URL picks the database (default: a temporary SQLite file). The schema is built
once per run with the real migrations; every test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import logs
from app.clock import FrozenClock, system_clock
from app.config import Settings
from app.db import migrate
from app.db.base import Base
from app.db.engine import make_engine
from app.db.models import Person
from app.db.store import Store
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from app.services.roster import apply_roster, parse_roster_csv

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0SANDBOX"

# A small org used across tests: director > two managers > reps, plus an admin.
ORG_CSV = """slack_user_id,role,manager_slack_user_id,email,timezone
U0DIR,director,,dana@example.com,America/New_York
U0MGRA,manager,U0DIR,maya@example.com,America/Los_Angeles
U0MGRB,manager,U0DIR,omar@example.com,Europe/Berlin
U0REPA1,rep,U0MGRA,ana@example.com,America/Los_Angeles
U0REPA2,rep,U0MGRA,ben@example.com,America/New_York
U0REPB1,rep,U0MGRB,chen@example.com,Europe/Berlin
U0ADMIN,admin,,ira@example.com,UTC
"""
ORG_TZ = {
    "U0DIR": "America/New_York",
    "U0MGRA": "America/Los_Angeles",
    "U0MGRB": "Europe/Berlin",
    "U0REPA1": "America/Los_Angeles",
    "U0REPA2": "America/New_York",
    "U0REPB1": "Europe/Berlin",
    "U0ADMIN": "UTC",
    "U0STRANGER": "Asia/Kolkata",
}


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


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


async def empty_tables(deps: Deps) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    async with deps.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


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


def make_settings(
    database_url: str, sandbox: SlackSandbox | None = None, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "slack_bot_token": sandbox.bot_token if sandbox else "xoxb-test",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": sandbox.api_url if sandbox else "http://127.0.0.1:9/api/",
        "coach_scheduler": "off",
        # The sandbox enforces no limit unless a test sets one; pacing tests lower this.
        "coach_send_rate_per_minute": 100_000,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "slack_state_secret": None,
        "coach_token_keys": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


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


async def seed_org(
    deps: Deps, csv_text: str = ORG_CSV, *, team_id: str = TEAM_ID, profiles_read: bool = True
) -> None:
    """The roster imported; with `profiles_read`, as `coach roster import` leaves it when it
    read everyone's Slack profile (the file's time zones are theirs): planned from the start."""
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, deps.clock())
        await apply_roster(store, workspace, parse_roster_csv(csv_text), deps.clock())
        if profiles_read:
            await mark_profiles_read(session, workspace.id, deps.clock())


async def mark_profiles_read(session: AsyncSession, workspace_id: int, now: datetime) -> None:
    await session.execute(
        update(Person)
        .where(Person.workspace_id == workspace_id)
        .values(profile_synced_at=now, profile_checked_at=now)
    )


async def count_rows(deps: Deps) -> dict[str, int]:
    counts = {}
    async with deps.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(text(f"SELECT COUNT(*) FROM {table.name}"))
            counts[table.name] = int(result.scalar_one())
    return counts


class Capture(logging.Handler):
    """Formats each record as it is emitted, before any other handler's filter touches it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(logs.TEXT_FORMAT))
        self.lines: list[str] = []
        self.levels: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.levels.add(record.levelno)
        self.lines.append(f"{self.format(record)} {logs.extra_fields(record)}")


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
