"""A sender that dies (SIGKILL) or is asked to stop (SIGTERM) in the middle of a fan-out.

`coach tick` runs as its own process against the sandbox in this one. Killed: rows it held
come back after their lease, and the message it posted without recording it is found in the
DM's history, not posted again. Stopped: it finishes the sends under way, gives back what it
claimed, exits 0, and the next tick needs no reconciling.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest

from app.clock import system_clock
from app.deps import Deps
from app.rules.types import DeliveryStatus
from app.sandbox.server import SlackSandbox
from tests.support.factories import is_postgres, make_settings
from tests.support.fanout import (
    assert_each_rep_prompted_once,
    finish,
    prompt_statuses,
    run_tick,
    seed_big_org,
    start_tick,
)

# The 2,000 reps on PostgreSQL; a modest 500 on SQLite keeps CI's two runs short.
REPS = {"postgresql": 2000, "sqlite": 500}
LEASE_S = "2"
MAX_TICKS = 12  # ticks after the kill before every rep must have their prompt (a loaded
# machine, such as CI running both databases at once, bounces rows off short leases)


async def unsent(deps: Deps, reps: int) -> bool:
    return (await prompt_statuses(deps)).get(DeliveryStatus.SENT, 0) < reps


@pytest.fixture
async def org(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[tuple[Deps, int]]:
    reps = REPS["postgresql" if is_postgres(database_url) else "sqlite"]
    deps = Deps.build(make_settings(database_url, sandbox), system_clock)
    await seed_big_org(deps, sandbox, reps)
    yield deps, reps
    await deps.close()


async def test_a_sender_killed_mid_fan_out_leaves_every_rep_exactly_one_prompt(
    org: tuple[Deps, int], database_url: str, sandbox: SlackSandbox
) -> None:
    deps, reps = org
    sender = await start_tick(database_url, sandbox, COACH_LEASE_SECONDS=LEASE_S)
    sandbox.when_stored("chat.postMessage", reps // 3, sender.kill)  # posted, never answered
    code, _ = await finish(sender)
    assert code == -signal.SIGKILL
    held = (await prompt_statuses(deps)).get(DeliveryStatus.SENDING, 0)
    assert held >= 1  # at least the post Slack stored was never recorded

    restarted = [await run_tick(database_url, sandbox, COACH_LEASE_SECONDS=LEASE_S)]
    await asyncio.sleep(float(LEASE_S) + 0.5)  # what the dead sender held is free again
    restarted.append(await run_tick(database_url, sandbox, COACH_LEASE_SECONDS=LEASE_S))
    # On a loaded machine a 2 s lease can also run out under a live sender, which then gives
    # the row back unsent: later ticks take it. Nothing may be posted twice whatever happens.
    while len(restarted) < MAX_TICKS and await unsent(deps, reps):
        await asyncio.sleep(float(LEASE_S) + 0.5)
        restarted.append(await run_tick(database_url, sandbox, COACH_LEASE_SECONDS=LEASE_S))

    assert all(code == 0 for code, _ in restarted), restarted
    assert any("reconciled" in output for _, output in restarted), restarted
    await assert_each_rep_prompted_once(deps, sandbox, reps)


async def test_sigterm_finishes_sends_under_way_and_gives_back_the_rest(
    org: tuple[Deps, int], database_url: str, sandbox: SlackSandbox
) -> None:
    deps, reps = org
    sandbox.slow_down("chat.postMessage", 0.02)
    sender = await start_tick(database_url, sandbox)
    sandbox.when_stored("chat.postMessage", 100, lambda: sender.send_signal(signal.SIGTERM))
    code, output = await finish(sender, timeout_s=60)

    assert code == 0, output
    assert "stopped early" in output
    statuses = await prompt_statuses(deps)
    assert DeliveryStatus.SENDING not in statuses  # nothing left held
    sent = statuses[DeliveryStatus.SENT]
    assert 100 <= sent < reps and sum(sandbox.deliveries().values()) == sent

    assert (await run_tick(database_url, sandbox))[0] == 0
    assert sandbox.calls_to("conversations.history") == []  # nothing was left in doubt
    await assert_each_rep_prompted_once(deps, sandbox, reps)
