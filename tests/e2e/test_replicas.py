"""Several `coach tick` processes on one PostgreSQL: every rep gets exactly one prompt.

Separate OS processes, not tasks: each has its own connections and claims rows with
FOR UPDATE SKIP LOCKED. On SQLite one process sends (README), so this runs on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.clock import system_clock
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from tests.support.factories import is_postgres, make_settings
from tests.support.fanout import (
    assert_each_rep_prompted_once,
    prompts_posted,
    run_tick,
    seed_big_org,
)

REPS = 2000
REPLICAS = 3


@pytest.fixture
async def big_org(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    if not is_postgres(database_url):
        pytest.skip("replicas need PostgreSQL: SQLite runs one sender")
    deps = Deps.build(make_settings(database_url, sandbox), system_clock)
    await seed_big_org(deps, sandbox, REPS)
    yield deps
    await deps.close()


async def test_three_replicas_send_each_prompt_exactly_once(
    big_org: Deps, database_url: str, sandbox: SlackSandbox
) -> None:
    results = await asyncio.gather(*(run_tick(database_url, sandbox) for _ in range(REPLICAS)))
    assert all(code == 0 for code, _ in results), results

    posted = prompts_posted(sandbox)
    assert len(posted) == REPS and set(posted.values()) == {1}
    await assert_each_rep_prompted_once(big_org, sandbox, REPS)
    # Every replica took part (SKIP LOCKED let them share the work instead of queueing).
    assert all("sent" in output for _, output in results), results
