"""Several `coach tick` processes on one PostgreSQL: every rep gets exactly one prompt.

Separate OS processes, not tasks: each has its own connections and claims rows with
FOR UPDATE SKIP LOCKED. On SQLite one process sends (README), so this runs on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.clock import system_clock
from app.db.models import Delivery
from app.deps import Deps
from app.domain.types import DeliveryStatus, Step
from app.sandbox.server import SlackSandbox
from app.slack.ids import DELIVERY_EVENT_TYPE
from tests.conftest import SIGNING_SECRET, empty_tables, is_postgres, make_settings, seed_org
from tests.processes import coach_env

REPS = 2000
MANAGERS = 20
REPLICAS = 3
MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def big_org(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    if not is_postgres(database_url):
        pytest.skip("replicas need PostgreSQL: SQLite runs one sender")
    managers = [f"U0M{n:04d}" for n in range(MANAGERS)]
    reps = [f"U0R{n:04d}" for n in range(REPS)]
    rows = ["slack_user_id,role,manager_slack_user_id,timezone"]
    rows += [f"{m},manager,,Europe/Berlin" for m in managers]
    rows += [f"{r},rep,{managers[n % MANAGERS]},Europe/Berlin" for n, r in enumerate(reps)]
    for user in (*managers, *reps):
        sandbox.add_user(user, user, "Europe/Berlin")
    deps = Deps.build(make_settings(database_url, sandbox), system_clock)
    await empty_tables(deps)
    await seed_org(deps, "\n".join(rows) + "\n")
    yield deps
    await deps.close()


async def tick_process(database_url: str, sandbox: SlackSandbox) -> tuple[int, str]:
    env = coach_env(
        database_url,
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=sandbox.api_url,
        COACH_SCHEDULER="off",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "tick",
        "--now",
        MONDAY_0900_BERLIN.isoformat(),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    return process.returncode or 0, (out + err).decode()


async def test_three_replicas_send_each_prompt_exactly_once(
    big_org: Deps, database_url: str, sandbox: SlackSandbox
) -> None:
    results = await asyncio.gather(*(tick_process(database_url, sandbox) for _ in range(REPLICAS)))
    assert all(code == 0 for code, _ in results), results

    posted = Counter(
        call.args["channel"]
        for call in sandbox.calls_to("chat.postMessage", ok_only=True)
        if call.args["channel"].startswith("U0R")
    )
    assert len(posted) == REPS and set(posted.values()) == {1}
    delivery_ids = [
        m.metadata["event_payload"]["delivery_id"]
        for messages in sandbox.state.messages.values()
        for m in messages
        if m.metadata and m.metadata.get("event_type") == DELIVERY_EVENT_TYPE
    ]
    assert len(delivery_ids) == len(set(delivery_ids)) == REPS
    async with big_org.db() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.kind == Step.REP_PROMPT)
                    .group_by(Delivery.status)
                )
            ).all()
        )
    assert statuses == {DeliveryStatus.SENT: REPS}
    # Every replica took part (SKIP LOCKED let them share the work instead of queueing).
    assert all("sent" in output for _, output in results), results
