"""`coach demo`: one simulated week of the real bot against the local Slack sandbox.

No Slack account, no network: a temporary SQLite database, the sandbox on loopback, the
outbox ticking on a hand-moved clock, and people answering through signed requests to the
bot's own /slack/events, the way Slack sends them. The transcript says when each person got
which message (in their own time zone), what they answered, what was recorded, who was nudged.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from app.clock import FrozenClock, system_clock
from app.config import Settings
from app.crm.clients import crm_at
from app.db import migrate as migrations
from app.db.pace import Rate
from app.delivery.tick import Outbox
from app.demo.crm_deals import DemoCrm, sample_hubspot, sample_salesforce, show_crm
from app.demo.gong_calls import sample_gong
from app.demo.narration import Transcript
from app.demo.scenes import DemoWeek
from app.demo.set_up import import_sample_roster, record_last_week
from app.demo.simulation import SimulatedWeek
from app.demo.team import SAMPLE_TEAM
from app.demo.week_end import show_done, show_guard_rails, show_summary
from app.demo.weekdays import play_week
from app.deps import Deps
from app.rules import calendar
from app.rules.types import CrmKind
from app.sandbox.driver import SlackDriver
from app.sandbox.gong import GongSandbox
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients

DEMO_SIGNING_SECRET = "demo-signing-secret"  # only ever signs requests to the local sandbox bot
DEMO_CRM_RATE = Rate(per_minute=6_000, burst=100)  # within the demo HubSpot's raised limit


def demo_settings(
    sandbox: SlackSandbox,
    database: Path,
    gong: GongSandbox | None = None,
    crm: DemoCrm | None = None,
) -> Settings:
    """The bot's settings for the demo: one token, the sandbox's API, no scheduler, the
    Gong stand-in as the call recorder and a CRM stand-in."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{database}",
        slack_bot_token=SecretStr(sandbox.bot_token),
        slack_signing_secret=SecretStr(DEMO_SIGNING_SECRET),
        slack_app_token=None,
        slack_client_id=None,
        slack_api_url=sandbox.api_url,
        coach_scheduler="off",
        coach_send_start_per_minute=100_000,  # the demo's sandbox sets no rate limit
        coach_send_rate_per_minute=100_000,
        gong_api_url=gong.base_url if gong else None,
        gong_access_key=SecretStr(gong.access_key) if gong else None,
        gong_access_key_secret=SecretStr(gong.access_key_secret) if gong else None,
        gong_requests_per_second=20,  # within the demo Gong's raised limit
        **(crm.settings if crm else {}),
    )


async def sample_sandbox() -> SlackSandbox:
    """The sandbox, started, with the sample team's Slack profiles."""
    sandbox = SlackSandbox(team_name="Acme Sales")
    await sandbox.start()
    for person in SAMPLE_TEAM:
        sandbox.add_user(person.slack_user_id, person.name, person.tz, email=person.email)
    return sandbox


async def run_demo(
    out: TextIO, *, week_of: date | None = None, crm: str = CrmKind.HUBSPOT.value
) -> None:
    """Print one week of coach for the sample team (the current week unless `week_of`),
    with the HubSpot or the Salesforce stand-in as the CRM."""
    today = week_of or system_clock().date()
    cycle = calendar.current_cycle(
        datetime.combine(today, datetime.min.time(), UTC), ZoneInfo("UTC")
    )
    monday = datetime.combine(calendar.monday_of(cycle), datetime.min.time(), UTC)
    sandbox = await sample_sandbox()
    gong = await sample_gong(monday)
    show = Transcript(out)
    clock = FrozenClock(monday)
    with tempfile.TemporaryDirectory(prefix="coach-demo-") as tmp:
        chosen = (
            await sample_salesforce(monday, Path(tmp))
            if crm == CrmKind.SALESFORCE
            else await sample_hubspot(monday)
        )
        settings = demo_settings(sandbox, Path(tmp) / "demo.db", gong, chosen)
        deps = Deps.build(settings, clock)
        bot: RunningBot | None = None
        driver: SlackDriver | None = None
        clients = OutboxClients(deps)  # the outbox's connections to Slack
        try:
            show.step(f"Set-up: week {cycle}")
            await migrations.upgrade(deps.engine)
            show.line(f"Temporary SQLite database; Slack sandbox at {sandbox.base_url}.")
            show.line(
                f"Gong stand-in at {gong.base_url}: {len(gong.calls)} calls over five weeks for "
                "Ana, Ben, Chen and Eve (Dev records elsewhere). coach keeps links and numbers."
            )
            show.line(
                f"{chosen.name} stand-in at {chosen.url}: {chosen.deals} deals, 6 of them open, "
                "owned by Ana, Ben, Chen and Eve (Dev sells from a spreadsheet)."
            )
            await import_sample_roster(deps, settings, sandbox, show)
            await record_last_week(deps, sandbox.state.team_id, cycle, show)
            bot = await start_bot(deps)
            driver = SlackDriver(sandbox, bot.url, DEMO_SIGNING_SECRET)
            show.line(f"Bot serving on {bot.url}; the outbox ticks every 30 simulated minutes.")
            outbox = Outbox(deps, clients)
            outbox.crm.crm_factory = crm_at(DEMO_CRM_RATE)  # days pass in seconds here
            simulated = SimulatedWeek(deps, clock, sandbox, driver, outbox, bot.settle)
            week = DemoWeek(simulated, show, crm_name=chosen.name)
            await play_week(week, monday)
            await show_guard_rails(week, cycle)
            sent = await show_summary(week, cycle)
            show_crm(show, chosen)
            await show_done(week, sent)
        finally:
            await clients.close()
            if driver is not None:
                await driver.close()
            if bot is not None:
                await bot.stop()
            await deps.close()
            await sandbox.stop()
            await gong.stop()
            await chosen.stop()
