"""GET /metrics: ack latency of signed requests, queue depth from the database, the counters."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from app.clock import system_clock
from app.db.models import Delivery, Person
from app.deps import Deps
from app.rules import calendar
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from tests.support.factories import make_settings, seed_org
from tests.support.outboxes import Outboxes


async def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient() as client:
        response = await client.get(url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def acks(samples: dict, kind: str) -> float:
    return samples[("coach_ack_seconds_count", (("kind", kind),))]


async def test_metrics_count_acks_by_kind_and_the_queue(
    driver: SlackDriver, bot: RunningBot, deps: Deps
) -> None:
    await seed_org(deps)
    before = await scrape(bot.url)
    for _ in range(3):
        assert (await driver.command("U0REPA1", "/drill", "help")).status == 200
    assert (await driver.open_home("U0REPA1")).status == 200
    await bot.settle()

    after = await scrape(bot.url)
    assert acks(after, "command") - acks(before, "command") == 3
    assert acks(after, "event") - acks(before, "event") == 1
    assert after[("coach_queue_depth", ())] == 0


async def test_queue_depth_counts_due_rows_not_yet_sent(bot: RunningBot, deps: Deps) -> None:
    await seed_org(deps)
    now = system_clock()
    rows = [
        (Step.REP_PROMPT, now - timedelta(minutes=5), DeliveryStatus.PENDING),
        (Step.REP_REMINDER, now - timedelta(minutes=1), DeliveryStatus.SENDING),
        (Step.PROMPT_AGAIN, now + timedelta(hours=1), DeliveryStatus.PENDING),  # not due
        (Step.MANAGER_PREP, now - timedelta(hours=1), DeliveryStatus.SENT),
        (Step.ONE_ON_ONE, now - timedelta(hours=1), DeliveryStatus.SKIPPED),
        (Step.CRM_DRILL_SET, now - timedelta(hours=1), DeliveryStatus.PENDING),  # the CRM's
    ]
    async with deps.db.begin() as session:
        person = await session.scalar(select(Person).where(Person.slack_user_id == "U0REPA1"))
        assert person is not None
        session.add_all(
            Delivery(
                workspace_id=person.workspace_id,
                person_id=person.id,
                kind=kind,
                cycle_week="2026-W48",
                due_at=due,
                expires_at=due + timedelta(hours=4),
                status=status,
                created_at=now,
            )
            for kind, due, status in rows
        )

    samples = await scrape(bot.url)
    assert samples[("coach_queue_depth", ())] == 2  # DMs only: a CRM outage isn't Slack's
    assert samples[("coach_crm_writes_due", ())] == 1


async def test_metrics_without_a_database_omit_only_the_queue(sandbox: SlackSandbox) -> None:
    settings = make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none", sandbox)
    deps = Deps.build(settings, system_clock)
    bot = await start_bot(deps)
    try:
        samples = await scrape(bot.url)
    finally:
        await bot.stop()
        await deps.close()
    assert ("coach_queue_depth", ()) not in samples
    assert ("coach_deliveries_total", (("outcome", "sent"),)) in samples


async def test_each_sent_dm_records_how_late_it_left(
    bot: RunningBot, deps: Deps, outboxes: Outboxes
) -> None:
    await seed_org(deps)
    now = system_clock()
    async with deps.db.begin() as session:
        person = await session.scalar(select(Person).where(Person.slack_user_id == "U0REPA1"))
        assert person is not None
        session.add(
            Delivery(
                workspace_id=person.workspace_id,
                person_id=person.id,
                kind=Step.REP_PROMPT,
                cycle_week=calendar.current_cycle(now, ZoneInfo(person.tz or "UTC")),
                due_at=now - timedelta(seconds=90),  # a tick that came late
                expires_at=now + timedelta(hours=4),
                status=DeliveryStatus.PENDING,
                created_at=now,
            )
        )
    bucket = "coach_delivery_lateness_seconds_bucket"
    before = await scrape(bot.url)
    outbox = outboxes(deps, "late")
    sent = await outbox.send_due(person_id=person.id, kind=Step.REP_PROMPT)
    assert sent["sent"] == 1
    after = await scrape(bot.url)

    def count(le: str) -> float:
        key = (bucket, (("le", le), ("step", "rep_prompt")))
        return after[key] - before.get(key, 0.0)

    assert (count("60.0"), count("120.0"), count("+Inf")) == (0, 1, 1)
