"""Before the week: the sample roster imported from Slack profiles, and last week's coaching."""

from __future__ import annotations

from sqlalchemy import select

from app.config import Settings
from app.db.models import Person
from app.delivery.roster_import import import_roster
from app.demo.narration import NAMES, Transcript
from app.demo.simulation import PastWeek, record_past_week
from app.demo.team import ANA, CHEN, MAYA, OMAR, SAMPLE_TEAM, sample_roster_csv
from app.deps import Deps
from app.rules import calendar
from app.sandbox.server import SlackSandbox
from app.slack.client import make_web_client


async def time_zones(deps: Deps) -> dict[str, str]:
    """Each person's time zone, as the import read it from Slack."""
    async with deps.reads() as session:
        rows = await session.execute(select(Person.slack_user_id, Person.tz))
    return {user: tz or "?" for user, tz in rows.all()}


async def import_sample_roster(
    deps: Deps, settings: Settings, sandbox: SlackSandbox, show: Transcript
) -> None:
    """`coach roster import` of the sample team; time zones come from Slack."""
    show.line("The roster file has no time zones, and names Eve by her email only.")
    client = make_web_client(settings, sandbox.bot_token)
    imported = await import_roster(deps, sample_roster_csv(), sandbox.state.team_id, client)
    show.line("`coach roster import`: " + imported.describe().replace("\n", " "))
    zones = await time_zones(deps)
    for p in SAMPLE_TEAM:
        boss = f", reports to {NAMES[p.manager]}" if p.manager else ""
        show.line(f"  {p.name}: {p.role} in {zones[p.slack_user_id]}{boss}")


async def record_last_week(deps: Deps, team_id: str, cycle: str, show: Transcript) -> None:
    """Ana and Chen were coached last week; only Ana recorded her drill."""
    previous = calendar.previous_cycle(cycle)
    for rep, manager, recording in (
        (ANA, MAYA, "https://app.gong.io/call?id=7"),
        (CHEN, OMAR, None),
    ):
        await record_past_week(
            deps,
            PastWeek(
                team_id,
                manager,
                rep,
                previous,
                focus="Discovery",
                drill="close_next_step",
                commitment="Ask for a date on every call",
                evidence="https://app.gong.io/call?id=6",
                recording=recording,
            ),
        )
    show.line(
        f"Last week ({previous}): Ana and Chen were coached on Discovery with the "
        "“Close the next step” drill; Ana recorded hers, Chen didn't."
    )
