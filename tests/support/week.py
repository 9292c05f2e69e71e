"""The end-to-end tests' week: the real bot over HTTP, the sandbox, every tick run twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.clock import FrozenClock
from app.db.models import Delivery, Person
from app.db.pace import Rate
from app.delivery.tick import Outbox, TickReport
from app.demo.simulation import SimulatedWeek
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import start_bot
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients
from tests.support.factories import SIGNING_SECRET, empty_tables, make_settings, seed_org

TEAM_CSV = """slack_user_id,role,manager_slack_user_id,timezone
U0DIR,director,,America/New_York
U0MGRA,manager,U0DIR,America/Los_Angeles
U0MGRB,manager,U0DIR,Europe/Berlin
U0REPLA,rep,U0MGRA,America/Los_Angeles
U0REPNY,rep,U0MGRA,America/New_York
U0REPBER,rep,U0MGRB,Europe/Berlin
U0REPKOL,rep,U0MGRB,Asia/Kolkata
"""
TZ = {
    "U0DIR": "America/New_York",
    "U0MGRA": "America/Los_Angeles",
    "U0MGRB": "Europe/Berlin",
    "U0REPLA": "America/Los_Angeles",
    "U0REPNY": "America/New_York",
    "U0REPBER": "Europe/Berlin",
    "U0REPKOL": "Asia/Kolkata",
}


class Week(SimulatedWeek):
    async def tick(self, at: datetime) -> TickReport:
        """Tick at `at` twice: the second must change nothing."""
        report = await super().tick(at)
        calls = len(self.sandbox.state.calls)
        again = await self.outbox.tick(at)
        assert again.planned == 0 and not again.outcomes, again.describe()
        assert len(self.sandbox.state.calls) == calls, [
            (c.method, c.args, c.status) for c in self.sandbox.state.calls[calls:]
        ]
        return report

    async def click(self, user: str, message: dict[str, Any], action_id: str, value: str) -> int:
        since = self.sandbox.mark()
        answer = await self.driver.click(user, action_id, value, message=message)
        assert answer.status == 200
        return since

    async def refused(self, user: str, message: dict[str, Any], action_id: str, value: str) -> str:
        """Click as someone who may not: the answer is an ephemeral sentence."""
        since = len(self.sandbox.state.responses)
        answer = await self.driver.click(user, action_id, value, message=message)
        assert answer.status == 200, answer  # acknowledged: Slack shows no error
        return str((await self.sandbox.wait_for_response(since=since))["text"])


Seed = Callable[[Deps], Awaitable[None]]


@asynccontextmanager
async def open_week(
    database_url: str,
    sandbox: SlackSandbox,
    roster_csv: str,
    time_zones: Mapping[str, str],
    start: datetime,
    *,
    seed: Seed | None = None,
    settings: Mapping[str, object] | None = None,
) -> AsyncIterator[Week]:
    """The week's world: Slack users in `time_zones`, the roster (`seed`, or as an import that
    read everyone's profile leaves it), the bot over HTTP and an outbox to tick."""
    for user, tz in time_zones.items():
        if user not in sandbox.state.users:
            sandbox.add_user(user, user.removeprefix("U0").title(), tz)
    clock = FrozenClock(start)
    deps = Deps.build(make_settings(database_url, sandbox, **(settings or {})), clock)
    await empty_tables(deps)
    if seed is None:
        await seed_org(deps, roster_csv)
    else:
        await seed(deps)
    bot = await start_bot(deps)
    driver = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    outbox = Outbox(deps, OutboxClients(deps), owner="test")
    outbox.read_rate = Rate(100_000, burst=100_000)  # days pass in real seconds here
    try:
        yield Week(deps, clock, sandbox, driver, outbox, bot.settle)
    finally:
        await outbox.client_for.close()
        await driver.close()
        await bot.stop()
        await deps.close()


async def sent(deps: Deps) -> list[tuple[str, Step, datetime]]:
    """Every delivery marked sent: (recipient, step, when), oldest first."""
    async with deps.db() as session:
        rows = (
            await session.execute(
                select(Person.slack_user_id, Delivery.kind, Delivery.sent_at)
                .join(Person, Person.id == Delivery.person_id)
                .where(Delivery.status == DeliveryStatus.SENT)
                .order_by(Delivery.sent_at)
            )
        ).all()
    return [(user, Step(kind), at) for user, kind, at in rows]


def local(user: str, at: datetime, zones: Mapping[str, str] = TZ) -> str:
    """When `at` was for `user`, as "Mon 09:00"."""
    return f"{at.astimezone(ZoneInfo(zones[user])):%a %H:%M}"
