"""What reps write in their DM with coach never destroys what was recorded: a link adds
deals, a link while the drill is open is asked about, chit-chat gets one hint a day, a line
half understood keeps what was understood, and what was typed is kept before it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import DirectMessage, DrillReport, Pause, Submission
from app.demo.simulation import PastWeek, record_past_week
from app.rules.types import Step
from app.sandbox.driver import button_value, typed
from app.sandbox.server import SlackSandbox
from app.sandbox.state import Call
from app.services import dm_replies
from app.slack.ids import Action
from app.slack.metadata import MessageRef, ModalMeta
from tests.support.factories import TEAM_ID, count_rows
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE = "2026-W48"
LA = "U0REPLA"
MONDAYS_DEALS = (
    "Acme (proposal) https://app.gong.io/call?id=1 12:30 - CFO pushed back on price\n"
    "Globex https://acme.zoom.us/rec/2 4:05 - champion went quiet"
)


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, MONDAY) as opened:
        await opened.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
        yield opened


async def deals_of(week: Week, rep: str = LA) -> list[str]:
    async with week.deps.reads() as session:
        rows = (await session.scalars(select(Submission))).all()
        people = {p.id: p.slack_user_id for p in await _people(session)}
    found = [s for s in rows if people[s.person_id] == rep and s.cycle_week == CYCLE]
    return [d["name"] for d in found[0].deals] if found else []


async def _people(session: Any) -> list[Any]:
    from app.db.models import Person

    return list((await session.scalars(select(Person))).all())


async def say(week: Week, text: str, rep: str = LA) -> Call | None:
    """The rep writes in their DM; coach's answer there (None: coach said nothing)."""
    since = week.sandbox.mark()
    assert (await week.driver.dm(rep, text)).status == 200
    await week.settle()
    channel = week.sandbox.state.dm_channel(rep)
    answers = [
        c
        for c in week.sandbox.state.calls[since:]
        if c.method == "chat.postMessage" and c.args.get("channel") == channel
    ]
    assert len(answers) <= 1
    return answers[0] if answers else None


async def tap(week: Week, answer: Call, action: str, rep: str = LA) -> Call:
    """The rep taps a button on coach's answer; the answer, as coach updated it."""
    message = answer.response["message"]
    since = week.sandbox.mark()
    await week.driver.click(rep, action, button_value(message, action), message=message)
    return await week.sandbox.wait_for_call("chat.update", since=since)


async def coached_this_week(week: Week) -> None:
    """Tuesday's diagnosis and Wednesday's notes for Los Angeles: this week's drill is open."""
    await record_past_week(
        week.deps,
        PastWeek(
            TEAM_ID,
            "U0MGRA",
            LA,
            CYCLE,
            focus="Objection handling",
            drill="objection_reframe",
            commitment="Reframe price on three calls",
            evidence="https://app.gong.io/call?id=1",
        ),
    )


async def test_a_reply_adds_deals_and_never_replaces_them(week: Week) -> None:
    await say(week, MONDAYS_DEALS)
    answer = await say(week, "Initech https://app.gong.io/call?id=3 - asked for a pilot")
    assert answer is not None
    assert answer.args["text"] == "Thanks! I added 1 deal for your manager: 3 deals this week."
    assert await deals_of(week) == ["Acme", "Globex", "Initech"]


async def test_the_thursday_link_leaves_mondays_deals_and_is_asked_about(week: Week) -> None:
    await say(week, MONDAYS_DEALS)
    await coached_this_week(week)
    await week.run_until(MONDAY + timedelta(days=3, hours=18))  # Thursday 10:00 in LA

    answer = await say(week, "did my drill, here it is https://app.gong.io/call?id=99")
    assert answer is not None
    assert answer.args["text"] == (
        "Is that link your Objection reframe drill recording, or a deal for your manager?"
    )
    assert await deals_of(week) == ["Acme", "Globex"]  # Monday's deals, intact

    updated = await tap(week, answer, Action.REPLY_AS_DRILL)
    assert updated.args["ts"] == answer.response["ts"]  # the answer, updated in place
    assert "Recorded your Objection reframe drill (1 recording this week)" in updated.args["text"]
    async with week.deps.reads() as session:
        reports = (await session.scalars(select(DrillReport))).all()
    assert [(r.url, r.note) for r in reports] == [
        ("https://app.gong.io/call?id=99", "did my drill, here it is")
    ]
    assert await deals_of(week) == ["Acme", "Globex"]


async def test_the_same_link_can_be_a_deal_instead(week: Week) -> None:
    await say(week, MONDAYS_DEALS)
    await coached_this_week(week)
    await week.run_until(MONDAY + timedelta(days=3, hours=18))
    answer = await say(week, "Hooli https://app.gong.io/call?id=42 - legal got involved")
    assert answer is not None
    updated = await tap(week, answer, Action.REPLY_AS_DEAL)
    assert updated.args["text"] == "Thanks! I added 1 deal for your manager: 3 deals this week."
    assert await deals_of(week) == ["Acme", "Globex", "Hooli"]


async def test_chit_chat_gets_one_short_hint_a_day_and_no_error(week: Week) -> None:
    await say(week, MONDAYS_DEALS)
    hint = await say(week, "thanks, see you Wednesday!")
    assert hint is not None and hint.args["text"].startswith("Thanks! Here I read deals")
    assert "couldn't" not in hint.args["text"] and "error" not in hint.args["text"].lower()
    assert await say(week, "👍") is None  # the same day: nothing more
    assert await deals_of(week) == ["Acme", "Globex"]
    await week.run_until(MONDAY + timedelta(days=1, hours=18))
    assert await say(week, "on it") is not None  # a new day, one new hint


@pytest.mark.parametrize("moment", ["12:75", "1:2:99", "23:59:60"])
async def test_an_odd_moment_keeps_the_deal_and_says_what_was_left_out(
    week: Week, moment: str
) -> None:
    answer = await say(week, f"Acme https://gong.io/call?id=1 {moment} - CFO pushed back")
    assert answer is not None
    assert "I added 1 deal" in answer.args["text"]
    shown = answer.args["blocks"][0]["text"]["text"]
    assert f"the moment {moment} (write it as minutes:seconds)" in shown
    async with week.deps.reads() as session:
        (submission,) = (await session.scalars(select(Submission))).all()
    assert submission.deals == [
        {
            "name": "Acme",
            "clip_url": "https://gong.io/call?id=1",
            "stage": None,
            "moment": None,
            "happened": "CFO pushed back",
        }
    ]


async def test_a_fourth_deal_is_offered_as_an_explicit_replacement(week: Week) -> None:
    await say(week, MONDAYS_DEALS + "\nInitech https://app.gong.io/call?id=3")
    answer = await say(week, "Umbrella https://app.gong.io/call?id=8 - wants a discount")
    assert answer is not None
    assert answer.args["text"].startswith("Your week already has 3 deals, so I kept them.")
    assert await deals_of(week) == ["Acme", "Globex", "Initech"]
    updated = await tap(week, answer, Action.REPLACE_DEALS)
    assert updated.args["text"] == "Done: your week's deals are now the 1 deal from that message."
    assert await deals_of(week) == ["Umbrella"]


async def test_what_was_typed_is_kept_when_reading_it_fails(
    week: Week, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in reading replies")

    monkeypatch.setattr(dm_replies, "answer", broken)
    answer = await say(week, MONDAYS_DEALS)
    assert answer is not None
    assert answer.args["text"].startswith(
        "Sorry, something went wrong on our side while reading that. I kept what you wrote;"
    )
    async with week.deps.reads() as session:
        (kept,) = (await session.scalars(select(DirectMessage))).all()
    assert (kept.text, kept.outcome) == (MONDAYS_DEALS, "pending")


async def test_a_dm_from_a_workspace_coach_does_not_know_stores_nothing(week: Week) -> None:
    before = await count_rows(week.deps)
    body = week.driver.event_body(
        {
            "type": "message",
            "channel": "D0ELSEWHERE",
            "channel_type": "im",
            "user": "U0SOMEONE",
            "text": MONDAYS_DEALS,
            "ts": "1700000000.000100",
        }
    ).replace(b'"T0SANDBOX"', b'"T0NEVERSEEN"')
    assert (await week.driver.post(body, "application/json")).status == 200
    await week.settle()
    assert await count_rows(week.deps) == before


async def test_a_button_naming_someone_elses_message_is_refused(week: Week) -> None:
    assert await say(week, MONDAYS_DEALS) is not None
    async with week.deps.reads() as session:
        (message,) = (await session.scalars(select(DirectMessage))).all()
    refusal = await week.refused(
        "U0REPNY", {"ts": "1.0", "blocks": []}, Action.REPLACE_DEALS, MessageRef(message.id).dump()
    )
    assert refusal == "That button belongs to someone else's message."
    assert await deals_of(week) == ["Acme", "Globex"]


async def test_modal_metadata_naming_another_dm_updates_no_message_there(week: Week) -> None:
    theirs = await week.last_dm("U0REPNY", Step.REP_PROMPT)
    mine = await week.last_dm(LA, Step.REP_PROMPT)
    view = await week.driver.open_modal(LA, mine, Action.OPEN_DEALS)
    channel = week.sandbox.state.dm_channel("U0REPNY")
    forged = {**view, "private_metadata": ModalMeta(LA, CYCLE, channel, theirs["ts"]).dump()}
    since = week.sandbox.mark()
    deals = {"deal1_name": typed("Acme"), "deal1_clip_url": typed("https://gong.io/c/1")}
    assert (await week.driver.submit(LA, forged, deals)).status == 200
    await week.settle()
    assert not [c for c in week.sandbox.state.calls[since:] if c.method == "chat.update"]
    assert await deals_of(week) == ["Acme"]  # the rep's own deals are saved all the same


async def test_a_replayed_drill_pause_stores_one_pause(week: Week) -> None:
    body = week.driver.command_body(LA, "/drill", "pause until 2026-12-04")
    first = await week.driver.send_command(body)
    again = await week.driver.send_command(body)
    assert "Paused" in first.json()["text"] or "pause" in first.json()["text"].lower()
    assert again.json()["text"].startswith("Already done")
    async with week.deps.reads() as session:
        assert len((await session.scalars(select(Pause))).all()) == 1


async def test_a_nul_character_is_dropped_not_the_message(week: Week) -> None:
    """PostgreSQL can't store NUL: typed text loses it, and nothing else."""
    answer = await say(week, "Acme\x00 https://gong.io/call?id=1 - CFO\x00 pushed back")
    assert answer is not None and "I added 1 deal" in answer.args["text"]
    async with week.deps.reads() as session:
        (kept,) = (await session.scalars(select(DirectMessage))).all()
    assert kept.text == "Acme https://gong.io/call?id=1 - CFO pushed back"
