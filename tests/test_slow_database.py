"""Slack shows an error when a slash command is not acknowledged within 3 s. While the
database is slow (another transaction holds what coach needs), coach acks in time with a
"one moment" and sends the real answer to the command's response_url when it has it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import text

from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.slack.render.errors import one_moment
from tests.conftest import is_postgres, seed_org

HELD_S = 4.0  # longer than Slack's 3 s


async def hold_the_database(deps: Deps, started: asyncio.Event) -> None:
    """Another writer holding the locks coach needs for HELD_S seconds."""
    async with deps.engine.connect() as connection:
        if is_postgres(str(deps.engine.url)):
            await connection.execute(text("BEGIN"))
            await connection.execute(text("LOCK TABLE person IN ACCESS EXCLUSIVE MODE"))
        else:
            await connection.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock
        started.set()
        await asyncio.sleep(HELD_S)
        await connection.rollback()


@contextlib.asynccontextmanager
async def database_held(deps: Deps) -> AsyncIterator[None]:
    started = asyncio.Event()
    holder = asyncio.create_task(hold_the_database(deps, started))
    await started.wait()
    yield
    await holder


async def test_a_command_is_acked_in_time_while_the_database_is_slow(
    deps: Deps, driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    since = len(sandbox.state.responses)
    async with database_held(deps):
        started = time.monotonic()
        answer = await driver.command("U0REPB1", "/drill", "status")
        acked_after = time.monotonic() - started
        assert answer.status == 200 and acked_after < 3.0
        assert answer.json()["text"] == one_moment()
    reply = await sandbox.wait_for_response(since=since, timeout_s=10)
    assert reply["user"] == "U0REPB1" and "drill" in reply["text"].lower()


async def test_a_fast_answer_still_rides_on_the_ack(deps: Deps, driver: SlackDriver) -> None:
    await seed_org(deps)
    answer = await driver.command("U0REPB1", "/drill", "status")
    assert answer.status == 200 and answer.json()["text"] != one_moment()
