"""`coach serve` asked to stop (SIGTERM) while a listener is still at work after its ack: the
work finishes, its answer reaches the person, and the process exits 0. Nothing a rep typed is
lost to a deploy."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from app.db.models import Person
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from tests.support.factories import SIGNING_SECRET, seed_org
from tests.support.held_database import HELD_S, database_held
from tests.support.processes import coach_env, free_port

ROOT = Path(__file__).resolve().parents[2]


async def wait_for_health(port: int, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(30):
        while True:
            assert process.returncode is None, "coach serve exited before answering /healthz"
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def paused_until(deps: Deps, slack_user_id: str) -> date | None:
    async with deps.db() as session:
        return await session.scalar(
            select(Person.paused_until).where(Person.slack_user_id == slack_user_id)
        )


async def test_sigterm_lets_the_work_after_an_ack_finish(
    deps: Deps, database_url: str, sandbox: SlackSandbox, tmp_path: Path
) -> None:
    await seed_org(deps)
    port = free_port()
    env = coach_env(
        database_url,
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=sandbox.api_url,
        PORT=str(port),
        COACH_SCHEDULER="off",
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "serve", env=env, cwd=ROOT, stdout=out, stderr=out
        )
    driver = SlackDriver(sandbox, f"http://127.0.0.1:{port}", SIGNING_SECRET)
    try:
        await wait_for_health(port, serve)
        since = len(sandbox.state.responses)
        until = date.today() + timedelta(days=30)
        body = driver.command_body("U0REPB1", "/drill", f"pause until {until.isoformat()}")
        async with database_held(deps):  # the pause cannot be saved for HELD_S
            ack = await driver.post(body, "application/x-www-form-urlencoded")
            assert ack.status == 200 and ack.text == ""
            serve.send_signal(signal.SIGTERM)
            await asyncio.sleep(HELD_S / 4)
            assert serve.returncode is None  # still saving the pause
        code = await asyncio.wait_for(serve.wait(), timeout=30)
        assert code == 0, log.read_text()
    finally:
        await driver.close()
        if serve.returncode is None:
            serve.kill()
            await serve.wait()
    reply = await sandbox.wait_for_response(since=since, timeout_s=1)
    assert reply["user"] == "U0REPB1" and "paused" in reply["text"].lower()
    assert await paused_until(deps, "U0REPB1") == until
