"""One whole week over signed HTTP against the sandbox: reps in Los Angeles, New York, Berlin
and Kolkata; every tick run twice; each step once, at the right local hour."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import Diagnosis, DrillReport, OneOnOne, Submission
from app.demo.form_values import focus
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from tests.support.grow import held_to
from tests.support.slack_answers import home_text
from tests.support.week import TEAM_CSV, TZ, Week, local, open_week, sent

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE = "2026-W48"


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, MONDAY) as opened:
        yield opened


async def test_a_whole_week_in_four_time_zones(week: Week) -> None:
    # --- Monday: prompts at each rep's 09:00 ---------------------------------------------
    await week.run_until(MONDAY + timedelta(hours=9))  # 10:00 in Berlin
    # Berlin asks to be reminded later (twice: one reminder), then answers in the thread.
    prompt = await week.last_dm("U0REPBER", Step.REP_PROMPT)
    value = button_value(prompt, Action.SNOOZE)
    for _ in range(2):
        since = await week.click("U0REPBER", prompt, Action.SNOOZE, value)
        await week.sandbox.wait_for_call("chat.update", since=since)

    # A rep cannot open someone else's deals.
    refusal = await week.refused("U0REPKOL", prompt, Action.OPEN_DEALS, value)
    assert "someone else" in refusal

    await week.run_until(MONDAY + timedelta(hours=11))  # 12:00 in Berlin
    again = await week.last_dm("U0REPBER", Step.PROMPT_AGAIN)
    await week.driver.dm(
        "U0REPBER", "Initech https://chorus.ai/m/3 - lost the CFO", thread_ts=again["ts"]
    )

    await week.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles

    # Los Angeles shares deals in the modal.
    prompt = await week.last_dm("U0REPLA", Step.REP_PROMPT)
    view = await week.driver.open_modal("U0REPLA", prompt, Action.OPEN_DEALS)
    bad = await week.driver.submit(
        "U0REPLA", view, {"deal1_name": typed("Acme"), "deal1_clip_url": typed("gong call")}
    )
    assert bad.json()["response_action"] == "errors"
    assert "deal1_clip_url" in bad.json()["errors"]
    good = await week.driver.submit(
        "U0REPLA",
        view,
        {
            "deal1_name": typed("Acme"),
            "deal1_stage": typed("Proposal"),
            "deal1_clip_url": typed("https://app.gong.io/call?id=1"),
            "deal1_moment": typed("12:30"),
            "deal1_happened": typed("CFO pushed back on price"),
        },
    )
    assert good.status == 200 and not good.text

    # New York replies in plain text in the DM.
    since = week.sandbox.mark()
    await week.driver.dm(
        "U0REPNY", "1. Globex (discovery) https://acme.zoom.us/rec/2 4:05 - champion went quiet"
    )
    reply = await week.sandbox.wait_for_call(
        "chat.postMessage", since=since, where=lambda c: "Globex" in str(c.args.get("blocks"))
    )
    assert reply.ok and "1 deal" in reply.args["text"]

    # --- Tuesday: prep; diagnosis by the right manager only ------------------------------
    await week.run_until(MONDAY + timedelta(days=1, hours=18))
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    assert "Acme" in str(prep["blocks"]) and "Globex" in str(prep["blocks"])
    diagnose = button_value(prep, Action.DIAGNOSE, "prep:U0REPLA")

    refusal = await week.refused("U0MGRB", prep, Action.DIAGNOSE, diagnose)  # another manager
    assert "Only <@U0REPLA>'s manager" in refusal

    view = await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, diagnose)
    answer = await week.driver.submit(
        "U0MGRA",
        view,
        {
            "can_do": chosen("no", "radio_buttons"),
            **focus("objection_handling", 2),
            "evidence_url": typed("https://app.gong.io/call?id=1"),
            "evidence_moment": typed("12:30"),
        },
    )
    assert answer.json()["response_action"] == "update"

    # --- Wednesday: agenda; GROW notes; the drill card ------------------------------------
    await week.run_until(MONDAY + timedelta(days=2, hours=18))
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    assert "skill" in str(agenda["blocks"]) and "Log 1:1 notes" in str(agenda["blocks"])
    for rep in ("U0REPLA", "U0REPNY"):
        value = button_value(agenda, Action.LOG_NOTES, f"agenda:{rep}")
        view = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
        notes = {
            "goal": typed("CFO agrees to a business-case review"),
            "reality": typed("Discounted at the first push"),
            "options": typed("Reframe as investment\nAsk about cost of delay\nBring the champion"),
            "commitment": typed("Use the reframe on three calls this week"),
            "drill_choice": chosen("objection_reframe"),
            "practice_reps": typed("3"),
            "private_notes": typed("PRIVATE: seems tired lately"),
            **held_to(view),
        }
        since = week.sandbox.mark()
        answer = await week.driver.submit("U0MGRA", view, notes)
        assert answer.json()["response_action"] == "update", answer.text
        card = await week.sandbox.wait_for_call(
            "chat.postMessage", since=since, where=lambda c, r=rep: c.args["channel"] == r
        )
        assert "Objection reframe" in card.args["text"]
        assert "PRIVATE" not in str(card.args)

    # --- Thursday: Los Angeles records the drill three times, as committed; New York once --
    await week.run_until(MONDAY + timedelta(days=3, hours=20))
    bad = await week.driver.command("U0REPLA", "/drill", "done not-a-link")
    assert "https://" in bad.json()["text"]
    said = [
        (
            await week.driver.command("U0REPLA", "/drill", f"done https://app.gong.io/call?id={n}")
        ).json()["text"]
        for n in (9, 10, 11)
    ]
    assert said[0] == (
        "Recorded your Objection reframe drill (1/3 of the recordings you committed to). "
        "2 more recordings to go: your manager scores it on Monday."
    )
    assert "(3/3 of the recordings you committed to). Your manager scores" in said[2]
    # The drill card in the DM is shown again with the count after each recording.
    await week.settle()
    card_ts = (await week.last_dm("U0REPLA", Step.DRILL_CARD))["ts"]
    cards = [
        c for c in week.sandbox.calls_to("chat.update", ok_only=True) if c.args["ts"] == card_ts
    ]
    assert len(cards) == 3
    assert "record it 3 times before your next 1:1 (1/3 so far" in str(cards[0].args["blocks"])
    assert "✓ 3/3 recorded" in str(cards[2].args["blocks"])
    once = await week.driver.command("U0REPNY", "/drill", "done https://app.gong.io/call?id=12")
    assert "(1/3 of the recordings you committed to)" in once.json()["text"]
    none = await week.driver.command("U0REPBER", "/drill", "done https://app.gong.io/call?id=10")
    assert "no drill assigned" in none.json()["text"]

    # --- Friday and the weekend ------------------------------------------------------------
    await week.run_until(MONDAY + timedelta(days=6))

    deliveries = await sent(week.deps)
    assert week.posted_twice() == []
    per_step = Counter((user, kind) for user, kind, _ in deliveries)
    assert all(count == 1 for count in per_step.values())
    when = {(user, kind): local(user, at) for user, kind, at in deliveries}
    for rep in ("U0REPLA", "U0REPNY", "U0REPBER", "U0REPKOL"):
        assert when[(rep, Step.REP_PROMPT)] == "Mon 09:00", rep
    assert when[("U0REPKOL", Step.REP_REMINDER)] == "Mon 15:00"
    assert ("U0REPLA", Step.REP_REMINDER) not in when  # answered: not nudged
    assert ("U0REPBER", Step.REP_REMINDER) not in when
    assert when[("U0REPBER", Step.PROMPT_AGAIN)] == "Mon 12:00"
    assert when[("U0MGRA", Step.MANAGER_PREP)] == "Tue 09:00"
    assert when[("U0MGRB", Step.MANAGER_PREP)] == "Tue 09:00"
    assert when[("U0MGRA", Step.ONE_ON_ONE)] == "Wed 09:00"
    assert when[("U0REPKOL", Step.ONE_ON_ONE)] == "Wed 09:00"
    assert when[("U0MGRB", Step.NOTES_NUDGE)] == "Wed 17:00"  # logged nothing
    assert ("U0MGRA", Step.NOTES_NUDGE) not in when  # logged both
    assert when[("U0REPNY", Step.DRILL_CHECK)] == "Fri 12:00"  # 1 of the 3 committed
    check = await week.last_dm("U0REPNY", Step.DRILL_CHECK)
    assert check["text"] == (
        "You've recorded 1 of the 3 Objection reframe practice reps you committed to (1/3). "
        "Share the rest today."
    )
    assert ("U0REPLA", Step.DRILL_CHECK) not in when  # all three in on Thursday
    assert when[("U0MGRA", Step.MANAGER_HEADS_UP)] == "Fri 16:00"
    heads_up = await week.last_dm("U0MGRA", Step.MANAGER_HEADS_UP)
    assert "U0REPNY" in heads_up["text"] and "U0REPLA" not in heads_up["text"]
    assert "<@U0REPNY> — Objection reframe, 1/3 recorded" in str(heads_up["blocks"])
    # The rep's Home and the manager's digest count the practice the same way.
    assert "recorded 1/3, 2 to go by" in await home_text(week.sandbox, week.driver, "U0REPNY")
    assert "recorded ✓ (3/3)" in await home_text(week.sandbox, week.driver, "U0REPLA")
    digest = str((await week.last_dm("U0MGRA", Step.DIGEST))["blocks"])
    assert "drill 1/3" in digest and "drill ✓" in digest

    async with week.deps.db() as session:
        submissions = (await session.scalars(select(Submission))).all()
        assert {len(s.deals) for s in submissions} == {1}
        assert len(submissions) == 3
        assert len((await session.scalars(select(Diagnosis))).all()) == 1
        assert len((await session.scalars(select(OneOnOne))).all()) == 2
        assert len((await session.scalars(select(DrillReport))).all()) == 4

    # Nothing a rep can see carries the manager's private notes.
    for rep in ("U0REPLA", "U0REPNY"):
        assert "PRIVATE" not in str([m.as_slack() for m in week.sandbox.messages_to(rep)])
    assert all(call.ok for call in week.sandbox.state.calls if call.method != "views.open")
