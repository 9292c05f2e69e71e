"""Slack shows an error when a slash command is not acknowledged within 3 s. Coach acks a
command before touching the database, so a slow database (another transaction holds what coach
needs) only delays the answer, which goes to the command's response_url when it is ready."""

from __future__ import annotations

import time

from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from tests.support.factories import seed_org
from tests.support.held_database import HELD_S, database_held


async def test_a_command_is_acked_in_time_while_the_database_is_slow(
    deps: Deps, driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    since = len(sandbox.state.responses)
    body = driver.command_body("U0REPB1", "/drill", "done https://gong.io/call/1")
    async with database_held(deps):
        started = time.monotonic()
        ack = await driver.post(body, "application/x-www-form-urlencoded")
        acked_after = time.monotonic() - started
        assert ack.status == 200 and ack.text == "" and acked_after < 3.0
        assert len(sandbox.state.responses) == since  # the answer waits for the database
    reply = await sandbox.wait_for_response(since=since, timeout_s=10)
    assert reply["user"] == "U0REPB1" and "drill" in reply["text"].lower()


async def test_an_answer_that_only_reads_does_not_wait_for_a_writer(
    deps: Deps, driver: SlackDriver
) -> None:
    await seed_org(deps)
    async with database_held(deps, reads_too=False):
        started = time.monotonic()
        answer = await driver.command("U0REPB1", "/drill", "status")
        answered_after = time.monotonic() - started
    assert answer.status == 200 and "drill" in answer.json()["text"].lower()
    assert answered_after < HELD_S / 2  # not behind the writer: no "one moment" needed
