"""Sending pace: a token bucket per workspace and method, shared by every sender through the
database, and a 429 that pauses only the workspace it came from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from app.clock import FrozenClock
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from app.services.roster import apply_roster, parse_roster_csv
from app.slack.client import OutboxClients
from tests.support.factories import empty_tables, make_settings, mark_profiles_read
from tests.support.fanout import MONDAY_0900_BERLIN

REPS_EACH = 6


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def roster(prefix: str, reps: int) -> str:
    rows = [
        "slack_user_id,role,manager_slack_user_id,timezone",
        f"{prefix}M,manager,,Europe/Berlin",
    ]
    rows += [f"{prefix}R{n},rep,{prefix}M,Europe/Berlin" for n in range(reps)]
    return "\n".join(rows) + "\n"


async def seed_workspace(deps: Deps, sandbox: SlackSandbox, team_id: str, prefix: str) -> None:
    entries = parse_roster_csv(roster(prefix, REPS_EACH))
    for entry in entries:
        sandbox.add_user(entry.slack_user_id, entry.slack_user_id, "Europe/Berlin")
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, deps.clock())
        await apply_roster(store, workspace, entries, deps.clock())
        await mark_profiles_read(session, workspace.id, deps.clock())


@pytest.fixture
async def two_workspaces(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    settings = make_settings(database_url, sandbox, coach_send_rate_per_minute=120)
    deps = Deps.build(settings, FrozenClock(MONDAY_0900_BERLIN))
    await empty_tables(deps)
    await seed_workspace(deps, sandbox, "T0PACEDW", "U0W")
    await seed_workspace(deps, sandbox, "T0OTHERX", "U0X")
    yield deps
    await deps.close()


def post_times(sandbox: SlackSandbox, prefix: str, *, ok: bool = True) -> list[datetime]:
    return [
        call.at
        for call in sandbox.calls_to("chat.postMessage", ok_only=ok)
        if str(call.args["channel"]).startswith(prefix)
    ]


async def test_two_senders_share_one_workspace_pace(
    two_workspaces: Deps, sandbox: SlackSandbox
) -> None:
    deps = two_workspaces
    senders = [Outbox(deps, OutboxClients(deps), owner=name) for name in ("one", "two")]
    await asyncio.gather(*(sender.tick() for sender in senders))

    # 6 prompts a workspace at 2 a second, a burst of 2 and a token back for the manager's
    # step that was not needed: at least 1.5 s from first to last. Two separate paces
    # (4 a second) would take about 0.5 s.
    for prefix in ("U0W", "U0X"):
        times = sorted(post_times(sandbox, prefix))
        assert len(times) == REPS_EACH
        assert times[-1] - times[0] >= seconds(1.2)
    assert set(sandbox.deliveries().values()) == {1}


async def test_a_429_pauses_only_its_workspace_for_retry_after(
    two_workspaces: Deps, sandbox: SlackSandbox
) -> None:
    deps = two_workspaces
    paced = frozenset(f"U0WR{n}" for n in range(REPS_EACH))
    sandbox.rate_limit_next("chat.postMessage", retry_after=2, channels=paced)
    outbox = Outbox(deps, OutboxClients(deps), owner="solo")
    await outbox.tick()
    clock = deps.clock
    assert isinstance(clock, FrozenClock)
    clock.set(clock() + seconds(3))  # the refused prompt is due again
    await outbox.tick()

    (refused_at,) = [
        call.at
        for call in sandbox.calls_to("chat.postMessage")
        if call.status == 429 and call.args["channel"] in paced
    ]
    resumed = [t for t in post_times(sandbox, "U0W") if t > refused_at]
    assert len(resumed) == REPS_EACH and min(resumed) >= refused_at + seconds(2)
    others = post_times(sandbox, "U0X")
    assert len(others) == REPS_EACH  # the other workspace kept sending, in the pause too
    assert any(refused_at < t < refused_at + seconds(2) for t in others)
    assert len(sandbox.deliveries()) == 2 * REPS_EACH
