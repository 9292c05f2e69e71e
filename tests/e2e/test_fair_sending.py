"""Workspaces in parallel: each workspace's queue has its own lane in a sender, so a big,
slow or throttled workspace holds back no other (app/rules/fair_share.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.models import Delivery, DeliveryStatus, Workspace
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from app.slack.metadata import delivery_id_in
from tests.support.factories import empty_tables, make_settings
from tests.support.fanout import MONDAY_0900_BERLIN, seed_workspace
from tests.support.outboxes import Outboxes

BIG, SMALL = 40, 4


@pytest.fixture
async def big_and_small(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    """Workspace A (40 reps, planned first) and workspace B (4 reps), one sender of four."""
    settings = make_settings(database_url, sandbox, coach_send_concurrency=4)
    deps = Deps.build(settings, FrozenClock(MONDAY_0900_BERLIN))
    await empty_tables(deps)
    await seed_workspace(deps, sandbox, "T0BIGSLOW", "U0A", BIG)
    await seed_workspace(deps, sandbox, "T0SMALLQ", "U0B", SMALL)
    yield deps
    await deps.close()


def posted(sandbox: SlackSandbox) -> list[str]:
    """The channel of each post Slack took, in the order it took them."""
    return [str(call.args["channel"]) for call in sandbox.calls_to("chat.postMessage")]


async def a_rows_come_first(deps: Deps) -> bool:
    """Whether every row of A is ahead of B's in due order (what a single queue serves)."""
    ids = select(Delivery.id).join(Workspace, Workspace.id == Delivery.workspace_id)
    async with deps.db() as session:
        a = list(await session.scalars(ids.where(Workspace.team_id == "T0BIGSLOW")))
        b = list(await session.scalars(ids.where(Workspace.team_id == "T0SMALLQ")))
    return bool(a and b and max(a) < min(b))


async def test_a_slow_workspace_with_a_long_queue_leaves_senders_for_a_small_one(
    big_and_small: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    deps = big_and_small
    slow = frozenset({"U0AM", *(f"U0AR{n}" for n in range(BIG))})
    sandbox.slow_down("chat.postMessage", 0.2, channels=slow)  # Slack answers A slowly
    outbox = outboxes(deps, "fair")
    await outbox.plan(MONDAY_0900_BERLIN)
    assert await a_rows_come_first(deps)  # one queue in due order would send all of A first
    await outbox.send_due(MONDAY_0900_BERLIN)

    order = posted(sandbox)
    b_posts = [n for n, channel in enumerate(order) if channel.startswith("U0B")]
    a_posts = [channel for channel in order if channel.startswith("U0A")]
    assert len(b_posts) >= SMALL and len(a_posts) >= BIG
    # A may keep its half of the senders busy meanwhile, no more: two lanes, two senders each.
    assert max(b_posts) < 10, order
    assert set(sandbox.deliveries().values()) == {1}


async def test_a_workspace_answered_429_on_every_post_delays_only_itself(
    big_and_small: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    deps = big_and_small
    refused = frozenset({"U0AM", *(f"U0AR{n}" for n in range(BIG))})
    sandbox.rate_limit_next("chat.postMessage", count=10_000, retry_after=1, channels=refused)
    outbox = outboxes(deps, "fair")
    outbox.send_budget_s = 3  # A's retries fall due on the sending's clock: it would go on
    await outbox.plan(MONDAY_0900_BERLIN)
    await outbox.send_due(MONDAY_0900_BERLIN)

    calls = sandbox.calls_to("chat.postMessage")
    to_b = [call for call in calls if str(call.args["channel"]).startswith("U0B")]
    assert len(to_b) >= SMALL and all(call.ok for call in to_b)
    refusals = sorted(call.at for call in calls if call.status == 429)
    # B went out while A sat out its first Retry-After; A tried again only after it (the
    # first refusals are the posts that were already in flight: at most the four claimed).
    first_pause_ends = refusals[0] + timedelta(seconds=1)
    assert max(call.at for call in to_b) < first_pause_ends
    assert 1 <= sum(1 for at in refusals if at < first_pause_ends) <= 4
    assert not any(call.ok for call in calls if str(call.args["channel"]).startswith("U0A"))


async def test_a_throttled_workspace_cannot_hold_a_tick_past_its_sending_budget(
    big_and_small: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    """Planning happens at a tick's start: a tick kept alive by a workspace Slack refuses
    would keep every workspace's next rows from being planned (and retried) meanwhile."""
    deps = big_and_small
    refused = frozenset({"U0AM", *(f"U0AR{n}" for n in range(BIG))})
    sandbox.rate_limit_next("chat.postMessage", count=10_000, retry_after=1, channels=refused)
    outbox = outboxes(deps, "fair")
    outbox.send_budget_s = 2
    started = time.monotonic()
    report = await outbox.tick(MONDAY_0900_BERLIN)
    took = time.monotonic() - started

    assert report.out_of_time and not report.stopped, report.describe()
    assert "the rest goes out on the next tick" in report.describe()
    assert took < outbox.send_budget_s + 3, took  # sends in flight finish; nothing new starts
    to_b = [c for c in sandbox.calls_to("chat.postMessage") if c.args["channel"][:3] == "U0B"]
    assert len(to_b) >= SMALL and all(call.ok for call in to_b)
    team_a = select(Workspace.id).where(Workspace.team_id == "T0BIGSLOW").scalar_subquery()
    async with deps.reads() as session:
        a_rows = (
            await session.scalars(select(Delivery).where(Delivery.workspace_id == team_a))
        ).all()
    # Nothing of A's is lost or failed: its reps' prompts wait, unsent, for the next tick.
    waiting = [row for row in a_rows if row.status is DeliveryStatus.PENDING]
    assert len(waiting) >= BIG and not any(row.sent_at for row in a_rows)
    assert {row.status for row in a_rows} <= {DeliveryStatus.PENDING, DeliveryStatus.CANCELLED}


async def test_marks_written_together_record_each_post_where_slack_put_it(
    big_and_small: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    """Sent marks go to the database in shared writes (app/delivery/sent_marks.py), yet each
    row records its own message: the channel and ts Slack answered for that delivery."""
    deps = big_and_small
    outbox = outboxes(deps, "fair")
    await outbox.plan(MONDAY_0900_BERLIN)
    outcomes = await outbox.send_due(MONDAY_0900_BERLIN)

    async with deps.db() as session:
        rows = list(await session.scalars(select(Delivery)))
    sent = [r for r in rows if r.status is DeliveryStatus.SENT]
    assert len(sent) == outcomes["sent"] >= BIG + SMALL
    assert 1 <= outbox.sent_marks.writes <= len(sent)
    where = {
        delivery_id: (channel, message.ts)
        for channel, messages in sandbox.state.messages.items()
        for message in messages
        if (delivery_id := delivery_id_in(message.metadata)) is not None
    }
    assert {r.id: (r.channel_id, r.message_ts) for r in sent} == {r.id: where[r.id] for r in sent}
    assert all(r.claimed_by is None and r.lease_until is None for r in sent)
