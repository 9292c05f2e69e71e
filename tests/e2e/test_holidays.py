"""Holidays and working hours, end to end: a team's holiday moves its steps (and no other
team's), a week with no day left for the 1:1 is skipped (not missed), a holiday in a DST
week keeps the local hour, and no DM lands outside a person's working hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import Delivery, Person
from app.db.store import Store
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver, button_value
from app.sandbox.server import SlackSandbox
from app.services.scorecard_data import rep_weeks
from app.slack.ids import Action
from tests.support.factories import count_rows, seed_org
from tests.support.slack_answers import coach
from tests.support.week import TEAM_CSV, TZ, Week, local, open_week, sent

W47 = datetime(2026, 11, 16, tzinfo=UTC)  # Wednesday 18th: a holiday in Saxony only


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, W47) as opened:
        yield opened


async def said(week: Week, user: str, text: str) -> str:
    return await coach(week.driver, user, text)


def when(deliveries: list[tuple[str, Step, datetime]]) -> dict[tuple[str, Step], str]:
    return {(user, step): local(user, at) for user, step, at in deliveries}


async def test_a_wednesday_holiday_moves_one_teams_one_on_one_to_thursday(week: Week) -> None:
    saxony = await said(week, "U0MGRB", "holidays de sn")
    assert saxony.startswith("Saved: <@U0MGRB>'s team keeps DE-SN public holidays.")
    assert (await said(week, "U0MGRA", "holidays DE BY")).startswith("Saved: <@U0MGRA>'s team")
    await week.run_until(W47 + timedelta(days=5, hours=8))

    seen = when(await sent(week.deps))
    assert week.posted_twice() == []
    # Omar's team (Berlin, Saxony): the 1:1 and its nudge on Thursday, the rest as always.
    assert seen[("U0REPBER", Step.ONE_ON_ONE)] == "Thu 09:00"
    assert seen[("U0REPKOL", Step.ONE_ON_ONE)] == "Thu 09:00"
    assert seen[("U0MGRB", Step.ONE_ON_ONE)] == "Thu 09:00"
    assert seen[("U0MGRB", Step.NOTES_NUDGE)] == "Thu 17:00"
    assert seen[("U0MGRB", Step.MANAGER_PREP)] == "Tue 09:00"
    # Maya's team (Bavaria): no holiday that Wednesday.
    assert seen[("U0REPLA", Step.ONE_ON_ONE)] == "Wed 09:00"
    assert seen[("U0MGRA", Step.NOTES_NUDGE)] == "Wed 17:00"


async def test_a_week_with_no_day_left_for_the_one_on_one_is_skipped_not_missed(
    week: Week,
) -> None:
    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        assert (await said(week, "U0MGRB", f"holidays add {day}")).startswith("Saved:")
    await week.run_until(W47 + timedelta(days=5, hours=8))

    received = {user for user, _, _ in await sent(week.deps)}
    assert {"U0REPBER", "U0REPKOL", "U0MGRB"}.isdisjoint(received)
    assert {"U0REPLA", "U0REPNY", "U0MGRA"} <= received  # the other team's week goes on
    async with week.deps.db() as session:
        rows = (
            await session.execute(
                select(Person.slack_user_id, Delivery.kind, Delivery.status)
                .join(Person, Person.id == Delivery.person_id)
                .where(Person.slack_user_id == "U0REPBER")
            )
        ).all()
        assert {status for _, _, status in rows} == {DeliveryStatus.SKIPPED}
        assert {Step(kind) for _, kind, _ in rows} >= {Step.REP_PROMPT, Step.ONE_ON_ONE}
        store = Store(session)
        workspace = await store.workspace_by_team(week.driver.team_id)
        assert workspace is not None
        rep = await store.person(workspace.id, "U0REPBER")
        assert rep is not None
        (skipped,) = (await rep_weeks(store, [rep], ["2026-W47"]))[rep.id]
    assert skipped.paused  # counted as skipped, like a pause: never a missed 1:1


async def test_a_monday_holiday_in_the_week_clocks_go_back(
    database_url: str, sandbox: SlackSandbox
) -> None:
    # Berlin leaves summer time on Sunday 25 October 2026; Ireland's October Bank Holiday
    # is the Monday after it.
    friday = datetime(2026, 10, 23, 10, tzinfo=UTC)
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, friday) as week:
        assert (await said(week, "U0MGRB", "holidays IE")).startswith("Saved:")
        await week.run_until(datetime(2026, 10, 31, 8, tzinfo=UTC))
        deliveries = await sent(week.deps)
    monday_on = [(u, s, at) for u, s, at in deliveries if at >= datetime(2026, 10, 26, tzinfo=UTC)]
    seen = when(monday_on)
    utc = {(u, s): f"{at:%a %H:%M}" for u, s, at in monday_on}
    assert seen[("U0REPBER", Step.REP_PROMPT)] == "Tue 09:00"
    assert utc[("U0REPBER", Step.REP_PROMPT)] == "Tue 08:00"  # CET now, not CEST
    assert seen[("U0REPBER", Step.REP_REMINDER)] == "Tue 15:00"
    assert seen[("U0MGRB", Step.MANAGER_PREP)] == "Wed 09:00"  # after the prompt, never before
    assert seen[("U0MGRB", Step.ONE_ON_ONE)] == "Thu 09:00"
    assert seen[("U0REPLA", Step.REP_PROMPT)] == "Mon 09:00"  # Los Angeles: no holiday


async def test_working_hours_hold_a_snooze_and_every_scheduled_dm(week: Week) -> None:
    assert (await said(week, "U0REPBER", "hours 09:00-18:00")).startswith(
        "Saved: your working hours are 09:00–18:00"
    )
    await said(week, "U0REPKOL", "hours 10:00-18:00")
    await said(week, "U0MGRB", "hours 08:00-16:00")
    await week.run_until(W47 + timedelta(hours=19, minutes=30))  # Monday 20:30 in Berlin
    prompt = await week.last_dm("U0REPBER", Step.REP_PROMPT)
    since = await week.click("U0REPBER", prompt, Action.SNOOZE, button_value(prompt, Action.SNOOZE))
    update = await week.sandbox.wait_for_call("chat.update", since=since)
    assert "I'll ask again at 09:00 on Tuesday" in str(update.args)
    await week.run_until(W47 + timedelta(days=3, hours=12))

    seen = when(await sent(week.deps))
    assert seen[("U0REPBER", Step.PROMPT_AGAIN)] == "Tue 09:00"  # not 22:30 Monday
    assert seen[("U0REPKOL", Step.REP_PROMPT)] == "Mon 10:00"  # waited for the start
    assert seen[("U0MGRB", Step.NOTES_NUDGE)] == "Thu 08:00"  # past 16:00: next morning
    assert seen[("U0REPLA", Step.REP_PROMPT)] == "Mon 09:00"  # no hours: as always


async def test_who_may_choose_and_what_bad_input_says(driver: SlackDriver, deps: Deps) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    assert await coach(driver, "U0REPA1", "holidays GB") == (
        "Only managers and admins choose the holidays: ask your manager."
    )
    assert await coach(driver, "U0MGRA", "holidays GB ENG <@U0MGRB>") == (
        "Only <@U0MGRB>, their director or an admin can change that team's schedule."
    )
    assert await coach(driver, "U0ADMIN", "holidays XX") == (
        "'XX' isn't a country the holiday calendar knows: use its two-letter code, "
        "e.g. GB, US or DE."
    )
    assert await coach(driver, "U0ADMIN", "holidays GB ZZ") == (
        "'ZZ' isn't a region of GB: use one of ENG, NIR, SCT, WLS, or leave the region out."
    )
    assert await coach(driver, "U0REPA1", "hours 18:00-09:00") == (
        "Write your working hours as start-end on a 24-hour clock, e.g. "
        "`/coach hours 09:00-17:30`, or `/coach hours off`."
    )
    assert await count_rows(deps) == before  # nothing changed
    workspace = await coach(driver, "U0ADMIN", "holidays GB ENG")
    assert workspace.startswith("Saved: every team (workspace default) keeps GB-ENG")
    team = await coach(driver, "U0REPA1", "holidays")
    assert team.startswith("The holidays <@U0MGRA>'s team keeps: GB-ENG")  # the workspace's
