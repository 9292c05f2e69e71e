"""A real workspace's first week: a roster of ids and emails without time zones, nobody opens
the App Home, and every rep still gets Monday's prompt at 09:00 of their own Slack zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.delivery.roster_import import import_roster
from app.deps import Deps
from app.rules.types import Step
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.slack.client import make_web_client
from tests.support.week import Week, local, open_week, sent

SUNDAY_NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sydney's Monday starts at 13:00 UTC
# Who is who in Slack; the roster file says none of these zones.
ZONES = {
    "U0DIR": "America/New_York",
    "U0MGRWES": "America/Los_Angeles",
    "U0MGREVA": "Europe/Berlin",
    "U0REPLA": "America/Los_Angeles",
    "U0REPNY": "America/New_York",
    "U0REPBER": "Europe/Berlin",
    "U0REPKOL": "Asia/Kolkata",
    "U0REPSYD": "Australia/Sydney",
    "U0REPFAIL": "Asia/Tokyo",  # Slack knows, but its users.info never answers for them
    "U0ADMIN": "Europe/London",
}
EMAILS = {"U0MGRWES": "wes@acme.example", "U0REPNY": "nia@acme.example"}
EMAILS["U0REPKOL"] = "kavya@acme.example"
# Ids for some, emails for the others (managers too), and no timezone column at all.
ROSTER = """slack_user_id,role,manager_slack_user_id,email
U0DIR,director,,
,manager,U0DIR,wes@acme.example
U0MGREVA,manager,U0DIR,
U0REPLA,rep,wes@acme.example,
,rep,wes@acme.example,Nia@Acme.example
U0REPBER,rep,U0MGREVA,
,rep,U0MGREVA,kavya@acme.example
U0REPSYD,rep,U0MGREVA,
U0REPFAIL,rep,U0MGREVA,
U0ADMIN,admin,,
"""
REPS = ("U0REPLA", "U0REPNY", "U0REPBER", "U0REPKOL", "U0REPSYD")


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    for user, tz in ZONES.items():
        sandbox.add_user(user, user.removeprefix("U0").title(), tz, email=EMAILS.get(user))
    sandbox.answer_html_next("users.info", count=10_000, only={"user": "U0REPFAIL"})

    async def imported(deps: Deps) -> None:
        """`coach roster import`, as the CLI runs it (SLACK_BOT_TOKEN set)."""
        client = make_web_client(deps.settings, sandbox.bot_token)
        report = await import_roster(deps, ROSTER, sandbox.state.team_id, client)
        assert "Read 9 Slack profiles" in report.describe()
        assert "1 could not be read (1 unreachable)" in report.describe()

    async with open_week(database_url, sandbox, ROSTER, {}, SUNDAY_NOON, seed=imported) as w:
        yield w


async def test_each_rep_gets_mondays_prompt_at_nine_in_their_slack_zone(week: Week) -> None:
    await week.run_until(SUNDAY_NOON + timedelta(days=1, hours=20))  # past Monday 09:00 in LA
    prompts = {who: at for who, step, at in await sent(week.deps) if step is Step.REP_PROMPT}
    assert {rep: local(rep, prompts[rep], ZONES) for rep in REPS} == dict.fromkeys(
        REPS, "Mon 09:00"
    )
    # Slack never said where U0REPFAIL is: COACH_DEFAULT_TZ (UTC), and nobody else's zone.
    assert f"{prompts['U0REPFAIL']:%a %H:%M}" == "Mon 09:00"
    assert not any(call.method == "views.publish" for call in week.sandbox.state.calls)


async def test_the_person_slack_could_not_tell_about_is_listed_in_coach_status(
    week: Week,
) -> None:
    status = await week.driver.command("U0ADMIN", "/coach", "status")
    text = status.json()["text"]
    assert "1 person without a readable Slack profile" in text
    shown = "\n".join(b["text"]["text"] for b in status.json()["blocks"] if b.get("text"))
    assert (
        "<@U0REPFAIL> — messages at UTC (COACH_DEFAULT_TZ) — coach couldn't reach Slack to read "
        "it: coach asks again every 15 minutes; nothing to do unless this stays." in shown
    )


async def test_people_named_by_email_are_who_slack_says(week: Week) -> None:
    async with week.deps.reads() as session:
        people = {p.slack_user_id: p for p in (await session.scalars(select(Person))).all()}
    assert people["U0REPNY"].email == "nia@acme.example"
    assert people["U0REPNY"].manager_id == people["U0MGRWES"].id
    assert people["U0REPKOL"].tz == "Asia/Kolkata"
    assert people["U0REPFAIL"].tz is None and people["U0REPFAIL"].profile_error == "unreachable"


async def test_the_admins_home_lists_them_too(week: Week) -> None:
    since = week.sandbox.mark()
    assert (await week.driver.open_home("U0ADMIN")).status == 200
    call = await week.sandbox.wait_for_call(
        "views.publish", since=since, where=lambda c: c.args.get("user_id") == "U0ADMIN"
    )
    shown = blocks_to_text(call.args["view"]["blocks"])
    assert "*Time zones* — 1 person without a readable Slack profile" in shown
    assert "@U0REPFAIL — messages at UTC (COACH_DEFAULT_TZ)" in shown
