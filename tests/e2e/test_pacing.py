"""Sending pace: a token bucket per workspace and method, shared by every sender through the
database, and a 429 that pauses only the workspace it came from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from app.clock import FrozenClock
from app.db.ledger import Ledger
from app.db.models import Delivery, Person, SendPace
from app.db.pace import Learning, Pacer, Rate
from app.db.store import Store
from app.deps import Deps
from app.rules.pacing import FIRST_CUT, Pace
from app.rules.types import DeliveryStatus
from app.sandbox.server import SlackSandbox
from tests.support.factories import empty_tables, make_settings
from tests.support.fanout import MONDAY_0900_BERLIN, seed_workspace
from tests.support.outboxes import Outboxes

REPS_EACH = 6


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


@pytest.fixture
async def two_workspaces(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    settings = make_settings(
        database_url, sandbox, coach_send_start_per_minute=120, coach_send_rate_per_minute=120
    )
    deps = Deps.build(settings, FrozenClock(MONDAY_0900_BERLIN))
    await empty_tables(deps)
    await seed_workspace(deps, sandbox, "T0PACEDW", "U0W", REPS_EACH)
    await seed_workspace(deps, sandbox, "T0OTHERX", "U0X", REPS_EACH)
    yield deps
    await deps.close()


def post_times(sandbox: SlackSandbox, prefix: str, *, ok: bool = True) -> list[datetime]:
    return [
        call.at
        for call in sandbox.calls_to("chat.postMessage", ok_only=ok)
        if str(call.args["channel"]).startswith(prefix)
    ]


async def test_two_senders_share_one_workspace_pace(
    two_workspaces: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    deps = two_workspaces
    senders = [outboxes(deps, name) for name in ("one", "two")]
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
    two_workspaces: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    deps = two_workspaces
    paced = frozenset(f"U0WR{n}" for n in range(REPS_EACH))
    sandbox.rate_limit_next("chat.postMessage", retry_after=2, channels=paced)
    outbox = outboxes(deps, "solo")
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
    # The admin set the rate (start and cap alike): the 429 paused it, and cut nothing.
    async with deps.reads() as session:
        learned = (await session.execute(select(SendPace.per_minute, SendPace.cut_at))).all()
    assert learned and all(row == (None, None) for row in learned)


async def test_a_learned_pace_is_shared_by_every_sender_and_kept(two_workspaces: Deps) -> None:
    deps = two_workspaces
    learning = Learning(start_per_minute=60, cap_per_minute=None)
    async with deps.db() as session:
        workspace = await Store(session).workspace_by_team("T0PACEDW")
        assert workspace is not None
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

    async def as_sender(act: Any) -> Pace | None:
        """One replica's transaction: a Pacer of its own on the shared row."""
        async with deps.db.begin() as session:
            pacer = Pacer(session, "chat.postMessage", Rate(60), learning)
            await act(pacer)
            return await pacer.pace(workspace.id, at)

    # Replica one wants 20 posts, gets one second's worth: the pace goes up, for everyone.
    one = await as_sender(lambda p: p.take(workspace.id, 20, at))
    two = await as_sender(lambda p: asyncio.sleep(0))
    assert one == two and two is not None and two.per_minute == 120
    # Replica two is answered 429: the pace comes down for replica one too.
    await as_sender(lambda p: p.pause(workspace.id, seconds(1), at + seconds(2)))
    seen = await as_sender(lambda p: asyncio.sleep(0))
    assert seen == Pace(60, ceiling=120, raised_at=at, cut_at=at + seconds(2))
    # The other workspace learned nothing from it.
    async with deps.db.begin() as session:
        other = await Store(session).workspace_by_team("T0OTHERX")
        assert other is not None
        fresh = await Pacer(session, "chat.postMessage", Rate(60), learning).pace(other.id, at)
    assert fresh == Pace(60)


async def test_a_429_cuts_the_pace_the_outbox_learned(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    settings = make_settings(database_url, sandbox, coach_send_start_per_minute=600)
    settings = settings.model_copy(update={"coach_send_rate_per_minute": None})
    deps = Deps.build(settings, FrozenClock(MONDAY_0900_BERLIN))
    try:
        await empty_tables(deps)
        await seed_workspace(deps, sandbox, "T0PACEDW", "U0W", REPS_EACH)
        sandbox.rate_limit_next("chat.postMessage", retry_after=0)
        await outboxes(deps, "solo").tick()
        async with deps.db() as session:
            workspace = await Store(session).workspace_by_team("T0PACEDW")
            assert workspace is not None
            row = await session.get(SendPace, (workspace.id, "chat.postMessage"))
        # The rate that drew the 429 (600, or 1,200 if a short take raised it first) is the
        # ceiling now, and the first cut halves it.
        assert row is not None and row.ceiling is not None and row.cut_at is not None
        assert row.ceiling >= 600 and row.per_minute == row.ceiling * FIRST_CUT
    finally:
        await deps.close()


async def test_a_claim_the_pace_refuses_says_when_its_batch_will_be_ready(
    two_workspaces: Deps,
    outboxes: Outboxes,
) -> None:
    """Not "claim again now": a sender that did would pay a second claim for each refusal."""
    deps = two_workspaces
    outbox = outboxes(deps, "solo")
    assert await outbox.plan(MONDAY_0900_BERLIN) >= REPS_EACH
    async with deps.db() as session:
        workspace = await Store(session).workspace_by_team("T0PACEDW")
        assert workspace is not None
    async with deps.db.begin() as session:
        pacer = Pacer(session, "chat.postMessage", Rate(120))  # two a second, two at once
        refused = await Ledger(session).claim(
            MONDAY_0900_BERLIN, "solo", 2, workspace_id=workspace.id, pacer=pacer
        )
    # A fresh bucket holds one post, and the pace sends in whole batches: the second
    # token comes half a second later.
    assert not refused.rows and refused.wait_s is not None
    assert 0.3 < refused.wait_s <= 0.5


async def test_a_granted_claim_says_when_a_fixed_pace_allows_the_next(
    two_workspaces: Deps,
    outboxes: Outboxes,
) -> None:
    """So a lane whose sends finish early waits instead of claiming into a refusal; a learned
    pace gives no such hint (its refusals are what raise it)."""
    deps = two_workspaces
    assert await outboxes(deps, "solo").plan(MONDAY_0900_BERLIN)
    async with deps.db() as session:
        ids = [await Store(session).workspace_by_team(t) for t in ("T0PACEDW", "T0OTHERX")]
    fixed, learned = (w.id for w in ids if w is not None)
    learning = Learning(start_per_minute=120)
    for workspace_id, pace_learning in ((fixed, None), (learned, learning)):
        async with deps.db.begin() as session:
            pacer = Pacer(session, "chat.postMessage", Rate(120), pace_learning)
            granted = await Ledger(session).claim(
                MONDAY_0900_BERLIN, "solo", 1, workspace_id=workspace_id, pacer=pacer
            )
        assert len(granted.rows) == 1  # a fresh bucket's one post
        if pace_learning is None:
            assert granted.wait_s is not None and 0.3 < granted.wait_s <= 0.5  # the next token
        else:
            assert granted.wait_s is None


async def test_a_send_claimed_before_a_429_does_not_post_into_its_pause(
    two_workspaces: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    # Two sends of one workspace claimed together; the first is answered 429 while the
    # second is still looking for an earlier attempt of its message (slow history). The
    # bucket row stops claims, not sends already claimed: the second must wait the pause out.
    deps = two_workspaces
    outbox = outboxes(deps, "solo")
    now = deps.clock()
    await outbox.plan(now)
    async with deps.db.begin() as session:
        workspace = await Store(session).workspace_by_team("T0PACEDW")
        assert workspace is not None
        rows = (
            await session.execute(
                select(Delivery.id, Person.slack_user_id)
                .join(Person, Person.id == Delivery.person_id)
                .where(Delivery.workspace_id == workspace.id)
                .order_by(Delivery.due_at, Delivery.id)
            )
        ).all()
        others = [row.id for row in rows if not row.slack_user_id.startswith("U0WR")]
        await session.execute(  # the manager's step: out of the way, the reps' prompts first
            update(Delivery).where(Delivery.id.in_(others)).values(status=DeliveryStatus.SKIPPED)
        )
        (_, refused_channel), (second, _) = [row for row in rows if row.id not in others][:2]
        await session.execute(
            update(Delivery).where(Delivery.id == second).values(error="ambiguous:TimeoutError")
        )
        wall = datetime.now(UTC)
        session.add(
            SendPace(
                workspace_id=workspace.id,
                method="chat.postMessage",
                tokens=2.0,  # both go in one claim
                refilled_at=wall,
                ready_at=wall,
            )
        )
    sandbox.rate_limit_next(
        "chat.postMessage", retry_after=2, channels=frozenset({refused_channel})
    )
    sandbox.slow_down("conversations.history", 0.5)
    await outbox.send_due(now)

    (refused_at,) = [call.at for call in sandbox.calls_to("chat.postMessage") if call.status == 429]
    into_the_pause = [
        t for t in post_times(sandbox, "U0W", ok=False) if refused_at < t < refused_at + seconds(2)
    ]
    assert into_the_pause == []
    async with deps.reads() as session:
        retried = await session.get(Delivery, second)
        assert retried is not None and retried.attempts >= 2  # handed back, then sent once due
        assert retried.status is DeliveryStatus.SENT and retried.sent_at is not None
        assert retried.sent_at >= now + seconds(2)  # on the send's clock: after the pause
