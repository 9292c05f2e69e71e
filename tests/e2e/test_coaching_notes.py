"""Coaching notes outside the 1:1, through the real bot over signed HTTP: a manager picks SBI,
CAR or OSKAR and the form asks for that framework's parts; an SBI note reaches the rep by DM
once per note; CAR and OSKAR stay with the rep's coaches; OSKAR's scaling number is tracked on
the scorecard; bad input and the wrong people change nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.ledger import Ledger
from app.db.models import CoachingNote
from app.demo.simulation import acting_as
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import coaching_notes
from app.services.coaching_notes import NoteInput
from app.slack.ids import Action
from tests.support.factories import TEAM_ID
from tests.support.grow import held_to
from tests.support.slack_answers import home_text
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 2026-W48
CYCLE = "2026-W48"
ROSTER = TEAM_CSV + "U0DIR2,director,,UTC\nU0MGRC,manager,U0DIR2,UTC\n"
ZONES = {**TZ, "U0DIR2": "UTC", "U0MGRC": "UTC"}
HOME = {"ts": "1.0", "blocks": []}
VALUE = f"U0REPLA|{CYCLE}"
SBI = {
    "framework": chosen("sbi", "radio_buttons"),
    "clip_url": {"value": {"type": "url_text_input", "value": "https://app.gong.io/call?id=3"}},
    "situation": typed("Acme pricing call, 12:30"),
    "behaviour": typed("You named the discount before the CFO asked"),
    "impact": typed("The CFO anchored on the discount for the rest of the call"),
}


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, ROSTER, ZONES, MONDAY) as opened:
        await opened.run_until(MONDAY + timedelta(days=3, hours=18))  # Thursday
        yield opened


async def open_form(week: Week, user: str) -> dict[str, Any] | str:
    sandbox = week.sandbox
    since, responses = sandbox.mark(), len(sandbox.state.responses)
    answer = await week.driver.click(user, Action.WRITE_NOTE, selected=VALUE, message=HOME)
    assert answer.status == 200
    try:
        call = await sandbox.wait_for_call("views.open", since=since, timeout_s=1.0)
    except TimeoutError:
        return str((await sandbox.wait_for_response(since=responses))["text"])
    assert call.ok, call.response
    return dict(call.response["view"])


async def pick(week: Week, view: dict[str, Any], framework: str) -> dict[str, Any]:
    since = week.sandbox.mark()
    values = {
        "framework": {Action.NOTE_FRAMEWORK_PICKED: chosen(framework, "radio_buttons")["value"]}
    }
    answer = await week.driver.click(
        "U0MGRA",
        Action.NOTE_FRAMEWORK_PICKED,
        view={**view, "state": {"values": values}},
        block_id="framework",
        selected=framework,
        element="radio_buttons",
    )
    assert answer.status == 200
    call = await week.sandbox.wait_for_call("views.update", since=since)
    assert call.ok, call.response
    return {**call.response["view"], "state": {"values": {}}}


async def notes_stored(week: Week) -> int:
    async with week.deps.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(CoachingNote)) or 0)


def feedback_dms(week: Week) -> list[Any]:
    return [
        c
        for c in week.sandbox.state.calls
        if c.method == "chat.postMessage" and "Feedback on one moment" in str(c.args.get("blocks"))
    ]


async def test_an_sbi_note_reaches_the_rep_once_per_note(week: Week) -> None:
    form = await open_form(week, "U0MGRA")
    assert isinstance(form, dict)
    ids = {b.get("block_id") for b in form["blocks"]}
    assert "framework" in ids and "situation" not in ids  # the framework first
    sbi = await pick(week, form, "sbi")
    needed = {
        b["block_id"]: not b.get("optional", False) for b in sbi["blocks"] if b["type"] == "input"
    }
    assert needed == {
        "framework": True,
        "clip_url": True,
        "situation": True,
        "behaviour": True,
        "impact": True,
    }
    oskar = await pick(week, sbi, "oskar")
    assert "scaling" in {b.get("block_id") for b in oskar["blocks"]}

    for values, field, words in (
        ({**SBI, "impact": typed("  ")}, "impact", "Write this part"),
        ({**SBI, "clip_url": typed("not a link")}, "clip_url", "link"),
        ({**SBI, "framework": chosen("rocket", "radio_buttons")}, "framework", "SBI, CAR or OSKAR"),
        ({**SBI, "framework": chosen("oskar", "radio_buttons")}, "scaling", "1 to 10"),
    ):
        answer = await week.driver.submit("U0MGRA", sbi, values)
        assert answer.json()["response_action"] == "errors", answer.text
        assert words in json.dumps(answer.json()["errors"][field]), answer.text
    assert await notes_stored(week) == 0 and feedback_dms(week) == []

    answer = await week.driver.submit("U0MGRA", sbi, SBI)
    assert answer.json()["response_action"] == "update", answer.text
    assert "gets your SBI feedback by DM now" in json.dumps(answer.json())
    await week.sandbox.wait_for_call(
        "chat.postMessage", where=lambda c: "Feedback on one moment" in str(c.args.get("blocks"))
    )
    (dm,) = feedback_dms(week)
    assert dm.args["channel"] in ("U0REPLA", week.sandbox.state.dm_channel("U0REPLA"))
    text = blocks_to_text(dm.args["blocks"])
    assert "*Behaviour:* You named the discount before the CFO asked" in text
    assert dm.args["text"]  # the fallback
    # A second SBI note the same week is a second DM; ticks after it send nothing more.
    since = week.sandbox.mark()
    await week.driver.submit("U0MGRA", sbi, {**SBI, "situation": typed("Globex demo, 4:05")})
    await week.sandbox.wait_for_call(
        "chat.postMessage", since=since, where=lambda c: "Globex demo" in str(c.args.get("blocks"))
    )
    await week.run_until(MONDAY + timedelta(days=3, hours=20))
    assert len(feedback_dms(week)) == 2 and await notes_stored(week) == 2


async def test_car_and_oskar_stay_with_the_coaches_and_scaling_trends(week: Week) -> None:
    deps = week.deps
    oskar = {
        "outcome": "Back to two qualified opportunities a week",
        "know_how": "October, when every call ended with a date",
        "affirm_action": "Great rapport; book one follow-up a day",
        "review": "Next Wednesday: dates asked for on calls",
    }
    for at, scaling in ((MONDAY - timedelta(days=5), "4"), (MONDAY + timedelta(days=3), "6")):
        cycle = "2026-W47" if at < MONDAY else CYCLE
        async with acting_as(deps, TEAM_ID, "U0MGRA", at) as (store, maya):
            form = NoteInput("oskar", oskar, scaling)
            ledger = Ledger(store.session)
            saved = await coaching_notes.save_note(store, ledger, maya, "U0REPLA", cycle, form, at)
            assert not saved.sent_to_rep
    async with acting_as(deps, TEAM_ID, "U0MGRA", MONDAY) as (store, maya):
        car = {
            "deal": "Initech, lost",
            "challenge": "Legal stalled",
            "action": "Waited",
            "result": "Lost to a rival",
        }
        await coaching_notes.save_note(
            store, Ledger(store.session), maya, "U0REPLA", CYCLE, NoteInput("car", car), MONDAY
        )
    assert feedback_dms(week) == []  # neither goes to the rep

    async def page(user: str) -> str:
        since = week.sandbox.mark()
        await week.driver.click(user, Action.OPEN_SCORECARD, VALUE, message=HOME)
        call = await week.sandbox.wait_for_call("views.open", since=since)
        return blocks_to_text(call.args["view"]["blocks"])

    coach = await page("U0MGRA")
    assert "OSKAR scaling 4 → 6/10" in coach
    assert "*CAR*, 2026-W48" in coach and "_Challenge:_ Legal stalled" in coach
    assert "*OSKAR*, 2026-W48" in coach and "scaling 6/10" in coach
    assert "Legal stalled" in await page("U0DIR")  # the manager's director
    own = await page("U0REPLA")
    assert "Legal stalled" not in own and "OSKAR" not in own and "scaling" not in own


async def test_only_the_reps_coaches_may_write_a_note(week: Week) -> None:
    for outsider in ("U0MGRB", "U0REPNY", "U0DIR2"):
        refused = await open_form(week, outsider)
        assert isinstance(refused, str), outsider
    form = await open_form(week, "U0MGRA")
    assert isinstance(form, dict)
    for outsider in ("U0MGRB", "U0REPLA", "U0DIR2"):  # a forged submission of Maya's form
        answer = await week.driver.submit(outsider, form, SBI)
        assert "Only <@U0REPLA>'s manager" in json.dumps(answer.json()), (outsider, answer.text)
    assert await notes_stored(week) == 0 and feedback_dms(week) == []


async def test_coaching_time_counts_the_1_1_as_logged_and_each_note(week: Week) -> None:
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
    grow = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
    length = next(b for b in grow["blocks"] if b.get("block_id") == "minutes")
    assert length["element"]["initial_value"] == "30" and length.get("optional") is True
    notes = {
        "goal": typed("CFO agrees to a business-case review"),
        "reality": typed("Discounted at the first push"),
        "options": typed("Reframe\nCost of delay\nBring the champion"),
        "commitment": typed("Use the reframe on three calls"),
        "drill_choice": chosen("objection_reframe"),
        **held_to(grow),
    }
    refused = await week.driver.submit("U0MGRA", grow, {**notes, "minutes": typed("500")})
    assert "from 5 to 120" in json.dumps(refused.json()["errors"]["minutes"])
    saved = await week.driver.submit("U0MGRA", grow, {**notes, "minutes": typed("45")})
    assert saved.json()["response_action"] == "update", saved.text
    async with acting_as(week.deps, TEAM_ID, "U0MGRA", week.clock.now) as (store, maya):
        car = {"deal": "Initech", "challenge": "Legal", "action": "Waited", "result": "Lost"}
        form = NoteInput("car", car)
        ledger = Ledger(store.session)
        await coaching_notes.save_note(store, ledger, maya, "U0REPLA", CYCLE, form, week.clock.now)
    # Los Angeles: 45 + one note's 5 = 50; New York: nothing yet. 50 over 2 reps: 25 each.
    assert "*Coaching time this week:* 50 min, 25 per rep" in await home_text(
        week.sandbox, week.driver, "U0MGRA"
    )
    director = await home_text(week.sandbox, week.driver, "U0DIR")
    assert "coaching time: 50 min, 25 per rep" in director
    page_opened = week.sandbox.mark()
    await week.driver.click("U0REPLA", Action.OPEN_SCORECARD, VALUE, message=HOME)
    call = await week.sandbox.wait_for_call("views.open", since=page_opened)
    assert "*Coaching time (last 4 weeks):* 0 min → 50 min" in blocks_to_text(
        call.args["view"]["blocks"]
    )


async def test_a_1_1_run_as_oskar_keeps_its_scaling_number(week: Week) -> None:
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
    grow = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
    assert grow["title"]["text"] == "1:1 notes (GROW)"
    since = week.sandbox.mark()
    picked = {"framework": {Action.GROW_FRAMEWORK_PICKED: chosen("oskar")["value"]}}
    await week.driver.click(
        "U0MGRA",
        Action.GROW_FRAMEWORK_PICKED,
        view={**grow, "state": {"values": picked}},
        block_id="framework",
        selected="oskar",
    )
    call = await week.sandbox.wait_for_call("views.update", since=since)
    oskar = {**call.response["view"], "state": {"values": {}}}
    labels = {b["block_id"]: b["label"]["text"] for b in oskar["blocks"] if b["type"] == "input"}
    assert labels["goal"] == "Outcome: what they want to be true"
    assert labels["scaling"] == "Scaling: where are they today, 1 to 10?"
    assert oskar["title"]["text"] == "1:1 notes (OSKAR)"
    notes = {
        "framework": chosen("oskar"),
        "goal": typed("Two qualified opportunities a week again"),
        "reality": typed("October: every call ended with a date"),
        "options": typed("Book one follow-up a day\nCall back warm leads\nAsk for referrals"),
        "commitment": typed("Book one follow-up a day"),
        "drill_choice": chosen("close_next_step"),
        **held_to(oskar),
    }
    for values, field in (
        (notes, "scaling"),
        ({**notes, "framework": chosen("sbi"), "scaling": chosen("4")}, "framework"),
    ):
        refused = await week.driver.submit("U0MGRA", oskar, values)
        assert refused.json()["response_action"] == "errors", refused.text
        assert field in refused.json()["errors"], refused.text
    saved = await week.driver.submit("U0MGRA", oskar, {**notes, "scaling": chosen("4")})
    assert saved.json()["response_action"] == "update", saved.text

    since = week.sandbox.mark()
    await week.driver.click("U0MGRA", Action.OPEN_SCORECARD, VALUE, message=HOME)
    page = await week.sandbox.wait_for_call("views.open", since=since)
    assert "OSKAR scaling 4/10" in blocks_to_text(page.args["view"]["blocks"])
    since = week.sandbox.mark()
    await week.driver.click("U0REPLA", Action.VIEW_NOTES, VALUE, message=HOME)
    shown = await week.sandbox.wait_for_call("views.open", since=since)
    text = blocks_to_text(shown.args["view"]["blocks"])
    assert "*Run as:* OSKAR" in text and "*Scaling:* 4/10" in text
