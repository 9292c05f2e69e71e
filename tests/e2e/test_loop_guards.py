"""Wrong users, forged payloads and repeated deliveries: refused or absorbed, never doubled.

Each test runs the real bot over signed HTTP against the sandbox, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.ledger import Ledger
from app.db.models import DealProgress, DrillReport, Helpfulness, Submission, TransferScore
from app.db.store import Store
from app.demo.simulation import PastWeek, acting_as, record_past_week
from app.rules.types import Step
from app.sandbox.driver import button_value, typed
from app.sandbox.server import SlackSandbox
from app.services import diagnoses, one_on_ones
from app.slack.ids import Action
from app.slack.metadata import ModalMeta, RepRef
from tests.support.factories import TEAM_ID
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE, LAST_CYCLE = "2026-W48", "2026-W47"
DEALS = {
    "deal1_name": typed("Acme"),
    "deal1_clip_url": typed("https://app.gong.io/call?id=1"),
    "deal1_moment": typed("12:30"),
}


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, MONDAY) as opened:
        # Last week: Los Angeles shared two deals, was coached on discovery and did the
        # drill; New York was coached (no deals shared) and did not.
        for rep, recording in (("U0REPLA", "https://app.gong.io/call?id=7"), ("U0REPNY", None)):
            past = PastWeek(
                TEAM_ID,
                "U0MGRA",
                rep,
                LAST_CYCLE,
                focus="Discovery",
                drill="objection_reframe",
                commitment="Reframe price on every call",
                evidence="https://app.gong.io/call?id=6",
                recording=recording,
                private_notes="PRIVATE: going through a hard time",
                deals=("Acme", "Globex") if recording else (),
            )
            await record_past_week(opened.deps, past)
        await opened.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
        yield opened


async def count(week: Week, model: type) -> int:
    async with week.deps.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def modal_text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


async def test_a_forged_deals_submission_stores_nothing(week: Week) -> None:
    prompt = await week.last_dm("U0REPLA", Step.REP_PROMPT)
    view = await week.driver.open_modal("U0REPLA", prompt, Action.OPEN_DEALS)

    # New York submits Los Angeles's modal (its private_metadata names Los Angeles).
    answer = await week.driver.submit("U0REPNY", view, DEALS)
    assert answer.json()["response_action"] == "update"
    assert "someone else" in json.dumps(answer.json()["view"])

    # Los Angeles submits with the metadata edited to an old week.
    old = ModalMeta.load(view["private_metadata"])
    forged = {**view, "private_metadata": ModalMeta(old.rep, "2026-W30").dump()}
    answer = await week.driver.submit("U0REPLA", forged, DEALS)
    assert "That week is closed" in json.dumps(answer.json()["view"])
    assert await count(week, Submission) == 1  # last week's, seeded

    # The genuine submission, delivered twice (a double click on Submit), is stored once.
    for _ in range(2):
        answer = await week.driver.submit("U0REPLA", view, DEALS)
        assert answer.status == 200 and not answer.text
    assert await count(week, Submission) == 2


async def test_a_retried_dm_reply_is_read_once(week: Week) -> None:
    channel = week.sandbox.state.dm_channel("U0REPNY")
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": "U0REPNY",
        "text": "Globex https://acme.zoom.us/rec/2 4:05 - champion went quiet",
        "ts": "1795000000.000100",
    }
    since = week.sandbox.mark()
    first = await week.driver.event(event, event_id="Ev0REPLY1")
    retry = await week.driver.event(event, event_id="Ev0REPLY1", retry_num=1)
    assert first.status == retry.status == 200
    await week.sandbox.wait_for_call("chat.postMessage", since=since)
    await asyncio.sleep(1)  # time for a second reply, were the retry read again
    replies = [
        c for c in week.sandbox.state.calls[since:] if c.method == "chat.postMessage" and c.ok
    ]
    assert len(replies) == 1 and "Globex" in str(replies[0].args)
    assert await count(week, Submission) == 2


async def test_scores_count_once_and_only_from_the_reps_coach(week: Week) -> None:
    review = await week.last_dm("U0MGRA", Step.MANAGER_REVIEW)
    assert "U0REPLA" in str(review["blocks"]) and "U0REPNY" not in str(review["blocks"])
    four = RepRef("U0REPLA", LAST_CYCLE, 4).dump()

    refusal = await week.refused("U0MGRB", review, f"{Action.SCORE}_4", four)  # another manager
    assert "Only <@U0REPLA>'s manager" in refusal
    refusal = await week.refused("U0REPNY", review, f"{Action.SCORE}_4", four)  # a rep
    assert "Only <@U0REPLA>'s manager" in refusal
    assert await count(week, TransferScore) == 0

    since = len(week.sandbox.state.responses)
    for _ in range(2):  # a double click
        await week.click("U0MGRA", review, f"{Action.SCORE}_4", four)
    answer = await week.sandbox.wait_for_response(since=since)
    second = await week.sandbox.wait_for_response(since=since + 1)
    assert second["text"] == answer["text"]  # the second click is answered, not an error
    assert await count(week, TransferScore) == 1
    assert "ready for the next focus" in answer["text"]

    # 4+: the offer to move on opens this week's diagnosis with the next competency.
    offer = {"ts": "1.0", **answer}
    view = await week.driver.open_modal("U0MGRA", offer, Action.NEXT_FOCUS)
    focus = next(b for b in view["blocks"] if b.get("block_id") == "focus_skill")
    assert focus["element"]["initial_option"]["value"] == "objection_handling"  # after Discovery
    assert ModalMeta.load(view["private_metadata"]).cycle == CYCLE
    refusal = await week.refused(
        "U0MGRB", offer, Action.NEXT_FOCUS, button_value(offer, Action.NEXT_FOCUS)
    )
    assert "Only <@U0REPLA>'s manager" in refusal


async def test_notes_open_only_for_the_rep_and_their_coaches(week: Week) -> None:
    ref = RepRef("U0REPLA", LAST_CYCLE).dump()
    card = {"ts": "1.0", "blocks": []}

    own = await week.driver.open_modal("U0REPLA", card, Action.VIEW_NOTES, ref)
    assert "Reframe price on every call" in modal_text(own)  # their commitment
    assert "PRIVATE" not in json.dumps(own)
    assert "Win the next step" not in json.dumps(own)  # the manager's GROW working notes

    for coach in ("U0MGRA", "U0DIR"):
        full = await week.driver.open_modal(coach, card, Action.VIEW_NOTES, ref)
        assert "PRIVATE: going through a hard time" in modal_text(full)

    assert "someone else's 1:1 notes" in await week.refused("U0REPNY", card, Action.VIEW_NOTES, ref)
    assert "Only <@U0REPLA>'s manager" in await week.refused("U0MGRB", card, Action.VIEW_NOTES, ref)
    opened = [c for c in week.sandbox.state.calls if c.method == "views.open"]
    assert len(opened) == 3

    # Los Angeles moves to the other manager: they coach from now on, but the private notes
    # stay with the manager who wrote them (and that manager's director).
    async with week.deps.db.begin() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        rep = await store.person(workspace.id, "U0REPLA")
        new_manager = await store.person(workspace.id, "U0MGRB")
        assert rep is not None and new_manager is not None
        rep.manager_id = new_manager.id
    new = await week.driver.open_modal("U0MGRB", card, Action.VIEW_NOTES, ref)
    assert "Win the next step" in modal_text(new) and "PRIVATE" not in json.dumps(new)
    director = await week.driver.open_modal("U0DIR", card, Action.VIEW_NOTES, ref)
    assert "PRIVATE: going through a hard time" in modal_text(director)
    assert "Only <@U0REPLA>'s manager" in await week.refused("U0MGRA", card, Action.VIEW_NOTES, ref)


async def test_a_drill_recording_submitted_twice_counts_once(week: Week) -> None:
    before = await count(week, DrillReport)  # last week's recording
    card = {"ts": "1.0", "blocks": []}
    view = await week.driver.open_modal(
        "U0REPNY", card, Action.DRILL_DONE, RepRef("U0REPNY", LAST_CYCLE).dump()
    )
    link = {"link": {"value": {"type": "url_text_input", "value": "https://app.gong.io/call?id=8"}}}
    for _ in range(2):
        answer = await week.driver.submit("U0REPNY", view, link)
        assert answer.json()["response_action"] == "update"
    assert "1 recording this week" in json.dumps(answer.json()["view"])
    other = await week.driver.command("U0REPNY", "/drill", "done https://app.gong.io/call?id=9")
    assert "(2 recordings this week)" in other.json()["text"]
    assert await count(week, DrillReport) == before + 2

    # Someone else's "Mark drill done" button is refused.
    refusal = await week.refused(
        "U0REPLA", card, Action.DRILL_DONE, RepRef("U0REPNY", LAST_CYCLE).dump()
    )
    assert "someone else" in refusal


async def test_reps_tell_whether_coached_deals_moved(week: Week) -> None:
    prompt = await week.last_dm("U0REPLA", Step.REP_PROMPT)
    assert "did these deals move to the next stage?" in str(prompt["blocks"])
    acme = button_value(prompt, f"{Action.DEAL_PROGRESS}_yes", "deal_progress:0")
    globex = button_value(prompt, f"{Action.DEAL_PROGRESS}_no", "deal_progress:1")
    assert "deal_progress" not in str((await week.last_dm("U0REPNY", Step.REP_PROMPT))["blocks"])

    # Someone else's buttons are refused.
    refusal = await week.refused("U0REPNY", prompt, f"{Action.DEAL_PROGRESS}_yes", acme)
    assert "someone else" in refusal
    assert await count(week, DealProgress) == 0

    answers = []
    for action, deal in (("no", acme), ("yes", acme), ("no", globex)):  # a change of mind
        since = len(week.sandbox.state.responses)
        await week.click("U0REPLA", prompt, f"{Action.DEAL_PROGRESS}_{action}", deal)
        answers.append((await week.sandbox.wait_for_response(since=since))["text"])
    assert (
        answers[1] == "Noted: *Acme* moved to the next stage. Tap the other button if that's wrong."
    )
    async with week.deps.db() as session:
        rows = (await session.scalars(select(DealProgress).order_by(DealProgress.deal_index))).all()
    assert [(r.cycle_week, r.deal_index, r.moved) for r in rows] == [
        (LAST_CYCLE, 0, True),
        (LAST_CYCLE, 1, False),
    ]


async def test_reps_rate_their_own_one_on_one_only(week: Week) -> None:
    card = {"ts": "1.0", "blocks": []}

    async def rate(user: str, rep: str, cycle: str, score: int) -> str:
        since = len(week.sandbox.state.responses)
        payload_value = RepRef(rep, cycle, score).dump()
        answer = await week.driver.click(
            user, Action.RATE_ONE_ON_ONE, None, message=card, selected=payload_value
        )
        assert answer.status == 200
        return str((await week.sandbox.wait_for_response(since=since))["text"])

    assert "8/10 noted" in await rate("U0REPLA", "U0REPLA", LAST_CYCLE, 8)
    assert "6/10 noted" in await rate("U0REPLA", "U0REPLA", LAST_CYCLE, 6)  # replaces the 8
    assert "someone else" in await rate("U0REPNY", "U0REPLA", LAST_CYCLE, 1)
    assert "no 1:1 logged" in await rate("U0REPLA", "U0REPLA", CYCLE, 9)
    assert "from 1 to 10" in await rate("U0REPLA", "U0REPLA", LAST_CYCLE, 11)
    async with week.deps.db() as session:
        rows = (await session.scalars(select(Helpfulness))).all()
    assert [(r.cycle_week, r.score) for r in rows] == [(LAST_CYCLE, 6)]


async def test_a_one_on_one_without_a_drill_still_asks_how_it_helped(week: Week) -> None:
    now = week.clock.now
    async with acting_as(week.deps, TEAM_ID, "U0MGRA", now) as (store, manager):
        system_gap = diagnoses.DiagnosisInput(
            answers={"can_do": True, "knows": True, "clear": True, "math_works": False},
            gap_override=None,
            focus="discovery",
            levels={"discovery": "2"},
            manager_action="Ask for a fair share of inbound leads",
        )
        await diagnoses.diagnose(store, manager, "U0REPNY", CYCLE, system_gap, now)
        grow = one_on_ones.GrowInput(
            goal="Enough pipeline to hit the number",
            reality="Territory has half the leads",
            options="Escalate\nRebalance\nOutbound",
            commitment="Book 5 outbound meetings",
            drill_choice="objection_reframe",  # ignored: a system gap is not the rep's drill
            accountability="20 booked meetings by month end",
            follow_up_on=now.date() + timedelta(days=7),
            follow_up_check="meetings booked",
        )
        logged = await one_on_ones.log_one_on_one(
            store, Ledger(session=store.session), manager, "U0REPNY", CYCLE, grow, now, "UTC"
        )
        assert logged.drill is None
    await week.tick(now + timedelta(minutes=30))
    card = await week.last_dm("U0REPNY", Step.DRILL_CARD)
    assert "No drill this week" in str(card["blocks"])
    assert "Book 5 outbound meetings — and we hold 20 booked meetings by month end" in card["text"]
    assert Action.RATE_ONE_ON_ONE in str(card["blocks"])
