"""A whole fan-out while Slack misbehaves on a share of calls: 429s with Retry-After, 500s
before and after storing the message, answers too slow for the client; and some reps whose
accounts are gone. Nothing is lost, nothing doubled, the gone ones fail with their reason
and block no one. Runs on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.models import Delivery
from app.delivery.tick import PERMANENT_ERRORS
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.sandbox.server import SlackSandbox
from tests.support.factories import make_settings
from tests.support.fanout import MONDAY_0900_BERLIN, seed_big_org
from tests.support.outboxes import Outboxes

REPS = 150
GONE = ("U0R0007", "U0R0042", "U0R0101")
SHARE = 0.2  # of chat.postMessage and conversations.history calls that misbehave
TICKS = 90  # a simulated minute apart; backoff doubles from 30 s


@pytest.fixture
async def org(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    deps = Deps.build(make_settings(database_url, sandbox), FrozenClock(MONDAY_0900_BERLIN))
    await seed_big_org(deps, sandbox, REPS)
    yield deps
    await deps.close()


async def unsent(deps: Deps) -> int:
    async with deps.db() as session:
        rows = await session.scalars(
            select(Delivery.id).where(
                Delivery.kind == Step.REP_PROMPT,
                Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            )
        )
    return len(rows.all())


async def test_a_fan_out_through_slack_faults_loses_and_doubles_nothing(
    org: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    for user in GONE:
        sandbox.state.users[user].deleted = True
    sandbox.make_flaky("chat.postMessage", share=SHARE, seed=7, stall_s=0.6)
    sandbox.make_flaky("conversations.history", share=SHARE, seed=8, stall_s=0.6)
    outbox = outboxes(org, "faults", timeout_s=0.3)
    clock = org.clock
    assert isinstance(clock, FrozenClock)

    for _ in range(TICKS):
        await outbox.tick()
        if not await unsent(org):
            break
        clock.set(clock() + timedelta(minutes=1))
    assert await unsent(org) == 0

    async with org.db() as session:
        rows = (
            await session.scalars(select(Delivery).where(Delivery.kind == Step.REP_PROMPT))
        ).all()
    failed = {r.id: r.error for r in rows if r.status is DeliveryStatus.FAILED}
    assert len(failed) == len(GONE) and set(failed.values()) <= PERMANENT_ERRORS
    assert {r.status for r in rows} == {DeliveryStatus.SENT, DeliveryStatus.FAILED}

    in_slack = sandbox.deliveries()
    sent_ids = {r.id for r in rows if r.status is DeliveryStatus.SENT}
    assert set(in_slack) == sent_ids and set(in_slack.values()) == {1}
    # The faults really happened, and each kind was met: 429, 5xx, a timeout, a reconcile.
    posts = sandbox.calls_to("chat.postMessage")
    assert {429, 500} <= {call.status for call in posts}
    assert any(r.error is None and r.attempts > 1 for r in rows)
    assert sandbox.calls_to("conversations.history")
    # One HTTP attempt per claim: the SDK retries nothing on its own.
    assert len(posts) <= sum(r.attempts for r in rows)
