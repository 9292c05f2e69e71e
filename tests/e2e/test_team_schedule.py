"""/coach schedule: a team moves its steps; the week's order holds; only the right people."""

from __future__ import annotations

from dataclasses import asdict
from datetime import time

import pytest

from app.db.store import Store
from app.deps import Deps
from app.rules.refusals import Refusal
from app.rules.types import Step, StepTime
from app.rules.weekly_steps import DEFAULT_SCHEDULE, OrderProblem, moved, order_problem
from app.sandbox.driver import SlackDriver, chosen
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from app.slack.render import refusal_text as refusals
from tests.support.factories import count_rows, seed_org
from tests.support.slack_answers import coach


async def overrides(deps: Deps) -> list[tuple[str, Step, str]]:
    """(team manager or "" for the workspace default, step, when), sorted."""
    async with deps.db() as session:
        store = Store(session)
        rows = await store.all_schedule_overrides()
        ids = {
            p.id: p.slack_user_id
            for p in await store.people_by_ids([r.manager_id for r in rows if r.manager_id])
        }
    return sorted(
        (
            ids[r.manager_id] if r.manager_id else "",
            Step(r.step),
            StepTime(r.weekday, r.local_time).label,
        )
        for r in rows
    )


def _said(problem: OrderProblem | None) -> str:
    """The sentence a person reads for a move out of order."""
    assert problem is not None
    return refusals.said(Refusal.STEP_ORDER, asdict(problem))


def test_the_notes_nudge_and_the_reminder_follow_their_step() -> None:
    thursday = moved(DEFAULT_SCHEDULE, Step.ONE_ON_ONE, StepTime(3, time(14)))
    assert thursday[Step.NOTES_NUDGE] == StepTime(3, time(17))  # same day, same hour
    assert order_problem(thursday, Step.ONE_ON_ONE) is None
    evening = moved(DEFAULT_SCHEDULE, Step.ONE_ON_ONE, StepTime(3, time(18)))
    assert evening[Step.NOTES_NUDGE] == StepTime(4, time(17))  # the next day
    assert order_problem(evening, Step.NOTES_NUDGE) is None
    late_prompt = moved(DEFAULT_SCHEDULE, Step.REP_PROMPT, StepTime(0, time(16)))
    assert late_prompt[Step.REP_REMINDER] == StepTime(1, time(15))
    assert _said(order_problem(late_prompt, Step.REP_REMINDER)) == (
        "The reminder must come before the prep (Tue 09:00): pick another time, or move "
        "the prep first."
    )


def test_order_problem_names_the_step_in_the_way() -> None:
    monday = {**DEFAULT_SCHEDULE, Step.ONE_ON_ONE: StepTime(0, time(10))}
    assert _said(order_problem(monday, Step.ONE_ON_ONE)) == (
        "The 1:1 must come after the prep (Tue 09:00): pick another time, or move the prep first."
    )
    late_check = {**DEFAULT_SCHEDULE, Step.DRILL_CHECK: StepTime(4, time(17))}
    assert _said(order_problem(late_check, Step.DRILL_CHECK)) == (
        "The drill-check must come before the heads-up (Fri 16:00): pick another time, or move "
        "the heads-up first."
    )


async def test_a_manager_moves_their_teams_one_on_one(driver: SlackDriver, deps: Deps) -> None:
    await seed_org(deps)
    reply = await coach(driver, "U0MGRA", "schedule 1on1 Thursday 14:30")
    assert reply == "Moved the 1:1 to Thu 14:30 for <@U0MGRA>'s team."
    assert await overrides(deps) == [
        ("U0MGRA", Step.NOTES_NUDGE, "Thu 17:00"),
        ("U0MGRA", Step.ONE_ON_ONE, "Thu 14:30"),
    ]

    # Their reps see the team's schedule; the other team keeps the default.
    answer = await driver.command("U0REPA1", "/coach", "schedule")
    assert "*Thu 14:30* 1:1" in str(answer.json()["blocks"])
    answer = await driver.command("U0REPB1", "/coach", "schedule")
    assert "*Wed 09:00* 1:1" in str(answer.json()["blocks"])

    # Moving it again replaces the team's time.
    assert "The 1:1 must come before the drill-check" in await coach(
        driver, "U0MGRA", "schedule 1:1 fri 14:00"
    )
    await coach(driver, "U0MGRA", "schedule 1:1 thu 10:00")
    assert await overrides(deps) == [
        ("U0MGRA", Step.NOTES_NUDGE, "Thu 17:00"),
        ("U0MGRA", Step.ONE_ON_ONE, "Thu 10:00"),
    ]


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        ("U0REPA1", "schedule 1:1 thu 14:00", "Only managers and admins change the schedule"),
        ("U0MGRB", "schedule 1:1 thu 14:00 <@U0MGRA>", "Only <@U0MGRA>, their director"),
        ("U0MGRA", "schedule 1:1 mon 10:00", "The 1:1 must come after the prep"),
        ("U0MGRA", "schedule lunch thu 12:00", "'lunch' isn't a step"),
        ("U0MGRA", "schedule 1:1 someday 12:00", "'someday' isn't a weekday"),
        ("U0MGRA", "schedule 1:1 thu 25:00", "'25:00' isn't a time"),
        ("U0MGRA", "schedule 1:1 thu", "Use `/coach schedule <step> <day> <HH:MM> [@manager]`"),
        ("U0ADMIN", "schedule 1:1 thu 14:00 <@U0REPA1>", "<@U0REPA1> doesn't lead a team"),
        ("U0DIR", "schedule 1:1 thu 14:00", "You have no reps of your own: name the team"),
    ],
)
async def test_bad_or_unauthorised_changes_change_nothing(
    driver: SlackDriver, deps: Deps, user: str, text: str, expected: str
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    assert expected in await coach(driver, user, text)
    assert await count_rows(deps) == before


async def test_directors_and_admins_change_other_teams(driver: SlackDriver, deps: Deps) -> None:
    await seed_org(deps)
    await coach(driver, "U0DIR", "schedule prep tue 08:00 <@U0MGRB>")
    reply = await coach(driver, "U0ADMIN", "schedule drill-check thu 16:00")
    assert reply == "Moved the drill-check to Thu 16:00 for every team (workspace default)."
    assert await overrides(deps) == [
        ("", Step.DRILL_CHECK, "Thu 16:00"),
        ("U0MGRB", Step.MANAGER_PREP, "Tue 08:00"),
    ]


async def test_a_new_default_cannot_break_a_teams_own_order(
    driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    await coach(driver, "U0MGRA", "schedule 1:1 thu 14:30")
    before = await overrides(deps)
    reply = await coach(driver, "U0ADMIN", "schedule drill-check thu 12:00")
    assert reply == (
        "That clashes with <@U0MGRA>'s team schedule: the drill-check must come after the 1:1 "
        "(Thu 14:30): pick another time, or move the 1:1 first."
    )
    assert await overrides(deps) == before


async def test_the_admin_changes_the_schedule_in_a_form(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    since = sandbox.mark()
    await driver.open_home("U0ADMIN")
    home = await sandbox.wait_for_call("views.publish", since=since)
    actions = next(b for b in home.args["view"]["blocks"] if b.get("block_id") == "admin_actions")
    button = next(e for e in actions["elements"] if e["action_id"] == Action.EDIT_SCHEDULE)
    since = sandbox.mark()
    await driver.click("U0ADMIN", button["action_id"], button["value"])
    view = (await sandbox.wait_for_call("views.open", since=since)).response["view"]

    def form(step: str, day: str, clock: str, team: str) -> dict:
        return {
            "step": chosen(step),
            "weekday": chosen(day),
            "at": {"value": {"type": "timepicker", "selected_time": clock}},
            "team": chosen(team),
        }

    refused = await driver.submit("U0ADMIN", view, form("1:1", "0", "10:00", "U0MGRA"))
    assert refused.json() == {
        "response_action": "errors",
        "errors": {
            "at": "The 1:1 must come after the prep (Tue 09:00): pick another time, or move "
            "the prep first."
        },
    }
    assert await overrides(deps) == []
    saved = await driver.submit("U0ADMIN", view, form("1:1", "3", "14:30", "U0MGRA"))
    assert saved.json()["response_action"] == "update"
    assert await overrides(deps) == [
        ("U0MGRA", Step.NOTES_NUDGE, "Thu 17:00"),
        ("U0MGRA", Step.ONE_ON_ONE, "Thu 14:30"),
    ]

    # A rep who forges the form is refused and nothing changes.
    answer = await driver.submit("U0REPA1", view, form("prep", "2", "08:00", "all"))
    assert "Only managers and admins" in str(answer.json())
    assert len(await overrides(deps)) == 2


async def test_the_admin_adds_someone_in_a_form(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    home = {"ts": "1.0", "blocks": []}
    view = await driver.open_modal("U0ADMIN", home, Action.EDIT_ROSTER, "edit")

    def form(person: str, role: str, manager: str | None) -> dict:
        values = {
            "person": {"value": {"type": "users_select", "selected_user": person}},
            "role": chosen(role),
        }
        if manager:
            values["manager"] = {"value": {"type": "users_select", "selected_user": manager}}
        return values

    before = await count_rows(deps)
    refused = await driver.submit("U0ADMIN", view, form("U0NEW", "rep", None))
    assert refused.json()["response_action"] == "errors"
    assert "manager" in refused.json()["errors"]
    assert await count_rows(deps) == before

    saved = await driver.submit("U0ADMIN", view, form("U0NEW", "rep", "U0MGRA"))
    assert "Added <@U0NEW> as a rep, reporting to <@U0MGRA>." in str(saved.json())

    # Anyone else is refused at the button.
    since = len(sandbox.state.responses)
    await driver.click("U0MGRA", Action.EDIT_ROSTER, "edit", message=home)
    assert "Only a coach admin" in (await sandbox.wait_for_response(since=since))["text"]
