"""A workspace whose token Slack refuses: disabled at the first refusal, an
alert raised once, no further calls; its prompts wait unsent and go out once a working token
is back. Slack's tokens_revoked and app_uninstalled events disable it too."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.ledger import Ledger
from app.db.models import Delivery, Workspace
from app.delivery.tick import Outbox
from app.deps import Deps
from app.observability import REGISTRY
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients, make_web_client
from app.slack.metadata import delivery_id_in
from app.slack.workspace_access import resume_with_token
from tests.support.factories import TEAM_ID, empty_tables, make_settings, seed_org
from tests.support.outboxes import Outboxes
from tests.support.statements import recorded_statements

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


@pytest.fixture
async def box(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> AsyncIterator[tuple[Deps, Outbox]]:
    # One send at a time, so "no call after the refusal" is exact rather than "≤ in flight".
    settings = make_settings(database_url, sandbox, coach_send_concurrency=1)
    deps = Deps.build(settings, FrozenClock(DUE))
    await empty_tables(deps)
    await seed_org(deps)
    outbox = outboxes(deps, "test", timeout_s=2)
    yield deps, outbox
    await deps.close()


def disabled_alerts(reason: str) -> float:
    return REGISTRY.get_sample_value("coach_workspaces_disabled_total", {"reason": reason}) or 0.0


async def workspace(deps: Deps) -> Workspace:
    async with deps.db() as session:
        found = await session.scalar(select(Workspace).where(Workspace.team_id == TEAM_ID))
    assert found is not None
    return found


async def deliveries(deps: Deps) -> list[Delivery]:
    async with deps.db() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


def prompts_posted(sandbox: SlackSandbox) -> list[int]:
    return [
        delivery_id
        for messages in sandbox.state.messages.values()
        for message in messages
        if (delivery_id := delivery_id_in(message.metadata)) is not None
    ]


async def test_a_revoked_token_disables_the_workspace_and_sends_nothing_more(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    deps, outbox = box
    sandbox.revoked_tokens.add(sandbox.bot_token)
    alerts = disabled_alerts("token_revoked")
    with caplog.at_level(logging.ERROR):
        report = await outbox.tick(DUE)

    assert report.outcomes["held"] == 1 and "sent" not in report.outcomes
    assert len(sandbox.calls_to("chat.postMessage")) == 1
    disabled = await workspace(deps)
    assert (disabled.active, disabled.disabled_reason) == (False, "token_revoked")
    assert disabled_alerts("token_revoked") == alerts + 1
    assert any("disabled (token_revoked)" in r.getMessage() for r in caplog.records)
    waiting = [row for row in await deliveries(deps) if row.status is DeliveryStatus.PENDING]
    assert waiting  # none failed, none lost
    assert [row.error for row in waiting if row.error] == ["token_revoked"]
    assert {row.attempts for row in waiting} == {0}  # nothing was posted

    # Later ticks make no call at all and plan nothing more for that workspace.
    later = await outbox.tick(DUE + timedelta(hours=6))
    assert (later.planned, later.outcomes) == (0, {})
    assert len(sandbox.calls_to("chat.postMessage")) == 1
    assert disabled_alerts("token_revoked") == alerts + 1


async def test_a_working_token_resumes_and_the_waiting_prompts_go_out_once(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    sandbox.revoked_tokens.add(sandbox.bot_token)
    await outbox.tick(DUE)
    waiting = [row for row in await deliveries(deps) if row.status is DeliveryStatus.PENDING]
    client = make_web_client(deps.settings, sandbox.bot_token)

    await resume_with_token(deps, client)  # still revoked: stays disabled
    assert not (await workspace(deps)).active

    sandbox.revoked_tokens.clear()  # the admin put a working token in place
    await resume_with_token(deps, client)
    resumed = await workspace(deps)
    assert (resumed.active, resumed.disabled_reason, resumed.disabled_at) == (True, None, None)

    report = await outbox.tick(DUE + timedelta(minutes=30))
    assert report.outcomes["sent"] == len(waiting)
    posted = prompts_posted(sandbox)
    assert sorted(posted) == sorted(row.id for row in waiting)  # each once


async def test_the_refused_client_is_dropped_so_a_reinstall_is_picked_up(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    clients = outbox.client_for
    assert isinstance(clients, OutboxClients)
    workspace_id = (await workspace(deps)).id
    refused = await clients(workspace_id)
    sandbox.revoked_tokens.add(sandbox.bot_token)
    await outbox.tick(DUE)
    assert await clients(workspace_id) is not refused


async def test_resuming_calls_slack_only_when_a_workspace_is_disabled(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, _ = box
    await resume_with_token(deps, make_web_client(deps.settings, sandbox.bot_token))
    assert sandbox.calls_to("auth.test") == []


async def test_a_row_claimed_before_the_workspace_was_disabled_is_not_sent(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    deps, outbox = box
    await outbox.plan(DUE)
    async with deps.db.begin() as session:
        claims = await Ledger(session).claim(DUE, "other-replica", 1)
    async with deps.db.begin() as session:  # meanwhile another replica met token_revoked
        await session.execute(
            Workspace.__table__.update().values(active=False, disabled_reason="token_revoked")
        )
    assert await outbox.send_one(claims.rows[0], DUE) == "held"
    assert sandbox.calls_to("chat.postMessage") == []
    row = next(r for r in await deliveries(deps) if r.id == claims.rows[0].id)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"type": "tokens_revoked", "tokens": {"bot": ["U0COACHBOT"]}}, "tokens_revoked"),
        ({"type": "app_uninstalled"}, "app_uninstalled"),
    ],
)
async def test_slack_saying_the_tokens_are_gone_disables_the_workspace_once(
    deps: Deps, bot: RunningBot, driver: SlackDriver, event: dict, reason: str
) -> None:
    await seed_org(deps)
    alerts = disabled_alerts(reason)
    assert (await driver.event(event, event_id="Ev0GONE")).status == 200
    assert (await driver.event(event, event_id="Ev0GONE", retry_num=1)).status == 200
    await bot.settle()
    gone = await workspace(deps)
    assert (gone.active, gone.disabled_reason) == (False, reason)
    assert disabled_alerts(reason) == alerts + 1


async def test_revoking_only_user_tokens_changes_nothing(
    deps: Deps, bot: RunningBot, driver: SlackDriver
) -> None:
    await seed_org(deps)
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"]}}
    assert (await driver.event(event)).status == 200
    await bot.settle()
    assert (await workspace(deps)).active


async def test_a_fresh_claim_of_a_workspace_disabled_since_is_given_back_unsent(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    """A claim made moments ago is sent without renewing its lease, yet its workspace is
    still looked at first: a token refused meanwhile costs no post."""
    deps, outbox = box
    await outbox.plan(DUE)
    async with deps.db.begin() as session:
        claims = await Ledger(session).claim(DUE, "test", 1)
    async with deps.db.begin() as session:
        await session.execute(
            Workspace.__table__.update().values(active=False, disabled_reason="token_revoked")
        )
    assert await outbox.send_one(claims.rows[0], DUE, time.monotonic()) == "held"
    assert sandbox.calls_to("chat.postMessage") == []
    row = next(r for r in await deliveries(deps) if r.id == claims.rows[0].id)
    assert (row.status, row.attempts, row.claimed_by) == (DeliveryStatus.PENDING, 0, None)


async def test_an_old_claim_renews_its_lease_first_and_a_fresh_one_is_sent_on_it(
    box: tuple[Deps, Outbox], sandbox: SlackSandbox
) -> None:
    """A claim that waited past a quarter of its lease renews it before sending, and finds
    it lost when another sender took the row over meanwhile; a claim made moments ago writes
    nothing before its post (composed from a read, on the lease as the claim set it)."""
    deps, outbox = box
    await outbox.plan(DUE)
    prompt = {Step.REP_PROMPT}
    async with deps.db.begin() as session:
        (old,) = (await Ledger(session).claim(DUE, "test", 1, kinds=prompt)).rows
    async with deps.db.begin() as session:  # another sender took it over, then let it go
        await session.execute(
            Delivery.__table__.update()
            .where(Delivery.id == old.id)
            .values(fence=Delivery.fence + 1, status=DeliveryStatus.PENDING, lease_until=None)
        )
    waited = time.monotonic() - outbox.lease.total_seconds() / 2
    assert await outbox.send_one(old, DUE, waited) == "lost"
    assert sandbox.calls_to("chat.postMessage") == []

    async with deps.db.begin() as session:
        (fresh,) = (await Ledger(session).claim(DUE, "test", 1, kinds=prompt)).rows
    with recorded_statements(*deps.engines) as statements:
        assert await outbox.send_one(fresh, DUE, time.monotonic()) == "sent"
    writes = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 1  # the sent mark, and no renewal before it
    row = next(r for r in await deliveries(deps) if r.id == fresh.id)
    assert (row.status, row.lease_until) == (DeliveryStatus.SENT, None)
    assert len(sandbox.calls_to("chat.postMessage")) == 1
