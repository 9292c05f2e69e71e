"""The outbox against Slack's failures: nothing lost, nothing doubled.

One Berlin rep's Monday prompt is due at 08:00 UTC; the sandbox misbehaves around it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.ledger import Ledger
from app.db.models import Delivery
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.evidence import Deal
from app.rules.types import DeliveryStatus, Step
from app.sandbox.server import SlackSandbox
from app.sandbox.state import Fault
from app.services import deals, people
from app.slack.client import make_outbox_client
from app.slack.metadata import delivery_id_in, delivery_metadata
from tests.support.factories import empty_tables, make_settings, seed_org
from tests.support.outboxes import Outboxes

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
REP = "U0REPB1"


@pytest.fixture
async def box(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> AsyncIterator[tuple[Deps, Outbox]]:
    deps = Deps.build(make_settings(database_url, sandbox), FrozenClock(DUE))
    await empty_tables(deps)
    await seed_org(deps)
    outbox = outboxes(deps, "test", timeout_s=0.5)
    yield deps, outbox
    await deps.close()


async def prompt_row(deps: Deps) -> Delivery:
    async with deps.db() as session:
        row = await session.scalar(select(Delivery).where(Delivery.kind == Step.REP_PROMPT))
    assert row is not None
    return row


def prompts_in_slack(sandbox: SlackSandbox) -> int:
    return sum(1 for m in sandbox.messages_to(REP) if delivery_id_in(m.metadata) is not None)


async def test_a_send_that_timed_out_after_slack_stored_it_is_not_repeated(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    sandbox.stall_next("chat.postMessage", seconds=1.0)  # stored, but answered too late
    report = await outbox.tick(DUE)
    assert report.outcomes["retried"] == 1
    assert (await prompt_row(deps)).error == "ambiguous:TimeoutError"
    await asyncio.sleep(1.2)  # the sandbox finishes storing it
    assert prompts_in_slack(sandbox) == 1

    report = await outbox.tick(DUE + timedelta(minutes=30))
    assert report.outcomes["reconciled"] == 1
    row = await prompt_row(deps)
    assert row.status is DeliveryStatus.SENT and row.message_ts
    assert len(sandbox.calls_to("chat.postMessage")) == 1  # one HTTP attempt, no second POST
    assert prompts_in_slack(sandbox) == 1


async def test_a_prompt_slack_stored_but_answered_5xx_stays_sent_once_the_rep_answers(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    """The rep saw the prompt and answered it: that is no reason to call it cancelled."""
    deps, outbox = box
    sandbox.faults.append(
        Fault("chat.postMessage", 1, status=500, error="internal_error", after_store=True)
    )
    await outbox.tick(DUE)
    assert prompts_in_slack(sandbox) == 1  # Slack has it; coach was told 500
    async with deps.db.begin() as session:
        store = Store(session)
        rep = await people.actor(store, "T0SANDBOX", REP)
        shared = [Deal("Initech", "https://chorus.ai/meeting/4411")]
        await deals.record_deals(store, rep, REP, "2026-W48", shared, "modal", DUE, "UTC")

    report = await outbox.tick(DUE + timedelta(minutes=30))
    assert report.outcomes["reconciled"] == 1
    row = await prompt_row(deps)
    assert (row.status, row.error) == (DeliveryStatus.SENT, None)
    assert prompts_in_slack(sandbox) == 1


async def test_a_send_slack_dropped_is_sent_again(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    sandbox.fail_next("chat.postMessage", status=500)  # nothing stored
    await outbox.tick(DUE)
    assert (await prompt_row(deps)).error == "ambiguous:internal_error"
    report = await outbox.tick(DUE + timedelta(minutes=30))
    assert report.outcomes["sent"] == 1
    assert prompts_in_slack(sandbox) == 1
    assert (await prompt_row(deps)).status is DeliveryStatus.SENT


async def test_a_sender_that_died_after_posting_is_reconciled_not_repeated(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    # Another sender claims the prompt with a short lease, posts it, and dies before
    # recording that it did.
    async with deps.db.begin() as session:
        from app.db.store import Store
        from app.services import week_plan

        await week_plan.plan_due(Store(session), Ledger(session), DUE, "UTC")
    async with deps.db.begin() as session:
        claims = await Ledger(session, lease=timedelta(milliseconds=300)).claim(
            DUE, "crashed", 10, kinds={Step.REP_PROMPT}
        )
    (claim,) = claims.rows
    client = make_outbox_client(deps.settings, sandbox.bot_token)
    await client.chat_postMessage(
        channel=REP,
        text="Good morning!",
        metadata=delivery_metadata(claim.id, claim.cycle_week),
    )
    await asyncio.sleep(0.4)  # its lease runs out

    report = await outbox.tick(DUE + timedelta(minutes=1))
    assert report.outcomes["reconciled"] == 1
    assert prompts_in_slack(sandbox) == 1
    assert (await prompt_row(deps)).status is DeliveryStatus.SENT


async def test_rate_limits_wait_and_permanent_errors_fail_without_blocking(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    sandbox.rate_limit_next("chat.postMessage", retry_after=1)
    await outbox.tick(DUE)  # nothing else is due: the tick ends, the retry waits for a tick
    row = await prompt_row(deps)
    assert row.status is DeliveryStatus.PENDING and row.error == "ratelimited"
    assert row.next_attempt_at is not None  # Retry-After on the tick's clock (DUE, running)
    assert DUE + timedelta(seconds=1) <= row.next_attempt_at < DUE + timedelta(seconds=2)
    assert (await outbox.tick(DUE)).outcomes == {}  # still waiting
    await outbox.tick(DUE + timedelta(seconds=2))
    assert sandbox.calls_to("conversations.history") == []  # a 429 is never ambiguous
    assert prompts_in_slack(sandbox) == 1

    sandbox.state.users["U0REPA2"].deleted = True  # New York's prompt: 14:00 UTC
    await outbox.tick(DUE + timedelta(hours=6))
    async with deps.db() as session:
        failed = (
            await session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.FAILED))
        ).all()
    assert [(r.kind, r.error) for r in failed] == [(Step.REP_PROMPT, "account_inactive")]
    assert (await outbox.tick(DUE + timedelta(hours=7))).outcomes == {}  # not retried


async def test_a_tick_for_a_given_time_records_that_time_as_sent(
    box: tuple[Deps, Outbox],
) -> None:
    deps, outbox = box
    deps.clock = FrozenClock(DUE + timedelta(days=3))  # the process's own clock is elsewhere
    late = DUE + timedelta(minutes=7)
    assert (await outbox.tick(late)).outcomes["sent"] >= 1
    sent_at = (await prompt_row(deps)).sent_at
    assert sent_at is not None and late <= sent_at < late + timedelta(seconds=30)


async def test_the_outbox_keeps_its_connections_to_slack_open_between_posts(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    """A Monday's posts reuse a few kept-alive connections, not one each (against slack.com
    each new one is a TLS handshake); release() closes them."""
    deps, outbox = box
    outbox.concurrency = 1  # one post at a time: every post could reuse the one connection
    report = await outbox.tick(DUE + timedelta(days=2, hours=10))  # Wednesday: many steps due
    calls = len(sandbox.state.calls)
    assert report.outcomes["sent"] >= 3, report.describe()
    assert len(sandbox.state.connections) < calls / 2, (sandbox.state.connections, calls)
    async with deps.db() as session:
        workspace_id = await session.scalar(select(Delivery.workspace_id).limit(1))
    assert workspace_id is not None
    client = await outbox.client_for(workspace_id)
    await outbox.release()
    assert client.session is not None and client.session.closed
