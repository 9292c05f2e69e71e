"""Socket Mode: `coach serve` with SLACK_APP_TOKEN takes Slack's requests over the websocket
(the sandbox plays Slack's side), and its port answers /healthz and /metrics only: an unsigned
request posted there as the admin acts on nothing."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from tests.support.factories import SIGNING_SECRET, TEAM_ID, count_rows, seed_org
from tests.support.processes import coach_env, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def served(deps: Deps, sandbox: SlackSandbox, database_url: str) -> AsyncIterator[str]:
    """`coach serve` in Socket Mode, as its own process; its port's base URL."""
    await seed_org(deps)
    port = free_port()
    env = coach_env(
        database_url,
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_APP_TOKEN=sandbox.app_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=sandbox.api_url,
        COACH_SCHEDULER="off",
        PORT=str(port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "serve",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if process.returncode is not None:
                    raise AssertionError((await process.communicate())[1].decode())
                try:
                    if (
                        sandbox.socket_connected
                        and (await client.get(base + "/healthz")).is_success
                    ):
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("coach serve did not come up in Socket Mode")
        yield base
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0


async def test_the_port_refuses_slack_requests_signed_or_not(
    served: str, deps: Deps, sandbox: SlackSandbox
) -> None:
    before = await count_rows(deps)
    driver = SlackDriver(sandbox, served, SIGNING_SECRET)
    try:
        for signed in (False, True):
            answer = await driver.command("U0ADMIN", "/coach", "add <@U0NEW> admin", signed=signed)
            assert answer.status == 404  # there is no /slack/events here
        async with httpx.AsyncClient() as client:
            assert (await client.get(served + "/healthz")).json() == {"ok": True}
            assert "coach_deliveries" in (await client.get(served + "/metrics")).text
    finally:
        await driver.close()
    assert await count_rows(deps) == before


async def test_slacks_requests_arrive_over_the_socket_and_are_answered(
    served: str, sandbox: SlackSandbox
) -> None:
    response_url = sandbox.issue_response_url("U0ADMIN", None)
    payload = {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "sandbox",
        "channel_id": sandbox.state.dm_channel("U0ADMIN"),
        "user_id": "U0ADMIN",
        "command": "/coach",
        "text": "status",
        "api_app_id": "A0COACH",
        "response_url": response_url,
        "trigger_id": sandbox.issue_trigger("U0ADMIN"),
    }
    since = len(sandbox.state.responses)
    ack = await sandbox.send_envelope("slash_commands", payload)
    assert ack["envelope_id"]
    answer = await sandbox.wait_for_response(since=since, url=response_url)
    assert answer["text"].startswith("This week (")
