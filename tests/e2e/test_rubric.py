"""The competency rubric, the focus that holds and the drill that fits the gap, through the
real bot over signed HTTP: every competency rated at diagnosis (the focus must be, the rest
start from their last level), every rating kept so levels trend, a focus carried into the
next week until a drill scores 4+, a prompt to diagnose again at week 3 without a 4, an
admin rewording the rubric and adding to it, and a knowledge gap given an assignment."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import Competency, Diagnosis, Person, RubricRating
from app.demo.form_values import focus
from app.demo.simulation import PastWeek, acting_as, record_past_week
from app.rules.form_fields import rating_field
from app.rules.rubric import DEFAULT_RUBRIC
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import transfer_scores
from app.slack.ids import Action
from tests.support.factories import TEAM_ID
from tests.support.grow import held_to
from tests.support.slack_answers import home_text
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 2026-W48
CYCLE = "2026-W48"
ROSTER = TEAM_CSV + "U0ADMIN,admin,,UTC\nU0DIR2,director,,UTC\nU0MGRC,manager,U0DIR2,UTC\n"
ZONES = {**TZ, "U0ADMIN": "UTC", "U0DIR2": "UTC", "U0MGRC": "UTC"}
HOME = {"ts": "1.0", "blocks": []}
CLIP = "https://app.gong.io/call?id=6"
TUESDAY_EVENING = MONDAY + timedelta(days=1, hours=18)


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    """Los Angeles has been on Discovery for two weeks (levels 2, then 3), no 4 yet; New
    York was on Discovery last week and its drill scored 4."""
    async with open_week(database_url, sandbox, ROSTER, ZONES, MONDAY) as opened:
        for cycle, level in (("2026-W46", "2"), ("2026-W47", "3")):
            await record_past_week(opened.deps, past("U0REPLA", cycle, level))
        await record_past_week(opened.deps, past("U0REPNY", "2026-W47", "2"))
        at = MONDAY + timedelta(hours=17)
        async with acting_as(opened.deps, TEAM_ID, "U0MGRA", at) as (store, maya):
            await transfer_scores.score_transfer(store, maya, "U0REPNY", "2026-W47", 4, at)
        yield opened


def past(rep: str, cycle: str, level: str) -> PastWeek:
    return PastWeek(
        TEAM_ID,
        "U0MGRA",
        rep,
        cycle,
        focus="Discovery",
        drill="discovery_deep_dive",
        commitment="Ask three follow-ups on every call",
        evidence=CLIP,
        recording="https://app.gong.io/call?id=7",
        level=level,
    )


async def open_diagnosis(week: Week, rep: str) -> dict[str, Any]:
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    value = button_value(prep, Action.DIAGNOSE, f"prep:{rep}")
    return await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, value)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def initial(view: dict[str, Any], block_id: str) -> str | None:
    option = block(view, block_id)["element"].get("initial_option")
    return option["value"] if option else None


async def ratings(week: Week, cycle: str = CYCLE) -> dict[tuple[str, str], int]:
    async with week.deps.reads() as session:
        rows = (
            await session.scalars(select(RubricRating).where(RubricRating.cycle_week == cycle))
        ).all()
        people = {r.person_id for r in rows}
        ids = {
            p.id: p.slack_user_id
            for p in (await session.scalars(select(Person).where(Person.id.in_(people)))).all()
        }
    return {(ids[r.person_id], r.competency_key): r.level for r in rows}


async def diagnoses_this_week(week: Week) -> int:
    async with week.deps.reads() as session:
        query = select(func.count()).select_from(Diagnosis).where(Diagnosis.cycle_week == CYCLE)
        return int(await session.scalar(query) or 0)


EVIDENCE = {"can_do": chosen("no", "radio_buttons"), "evidence_url": typed(CLIP)}


async def test_every_competency_is_rated_and_the_levels_trend(week: Week) -> None:
    await week.run_until(TUESDAY_EVENING)
    prep = blocks_to_text((await week.last_dm("U0MGRA", Step.MANAGER_PREP))["blocks"])
    # Week 3 on Discovery without a 4: the prep asks to walk the tree again; not New York,
    # whose drill scored 4 (ready to move on instead).
    assert "week 3 on this focus and no 4 yet" in prep
    assert prep.count("week 3 on this focus") == 1
    view = await open_diagnosis(week, "U0REPLA")
    shown = json.dumps(view["blocks"])
    assert "this is week 3" in shown and "walk the tree again" in shown
    # The focus carries over; every competency is there with its four behaviours; the
    # focus's level starts from last week's, the others (never rated) empty.
    assert initial(view, "focus_skill") == "discovery"
    for competency in DEFAULT_RUBRIC:
        options = block(view, rating_field(competency.key))["element"]["options"]
        assert [o["text"]["text"] for o in options] == [
            f"{n} — {competency.level_text(n)}" for n in (1, 2, 3, 4)
        ]
    assert initial(view, rating_field("discovery")) == "3"
    assert initial(view, rating_field("closing")) is None
    assert block(view, rating_field("discovery"))["optional"] is False  # the focus: needed
    assert block(view, rating_field("closing"))["optional"] is True

    # Bad input is refused under its field and stores nothing.
    for values, field, words in (
        ({**EVIDENCE, "focus_skill": chosen("closing")}, rating_field("closing"), "Rate the"),
        ({**EVIDENCE, "focus_skill": chosen("hacking")}, "focus_skill", "Pick the one"),
        ({**EVIDENCE, **focus("discovery", 9)}, rating_field("discovery"), "from 1 to 4"),
    ):
        answer = await week.driver.submit("U0MGRA", view, values)
        assert answer.json()["response_action"] == "errors", answer.text
        assert words in answer.json()["errors"][field]
    assert await diagnoses_this_week(week) == 0 and await ratings(week) == {}
    # Another team's manager can't save it either.
    refused = await week.driver.submit("U0MGRB", view, {**EVIDENCE, **focus("discovery", 3)})
    assert "Only <@U0REPLA>'s manager" in json.dumps(refused.json())
    assert await diagnoses_this_week(week) == 0

    answer = await week.driver.submit(
        "U0MGRA", view, {**EVIDENCE, **focus("discovery", 3, closing=2)}
    )
    assert answer.json()["response_action"] == "update", answer.text
    assert await ratings(week) == {("U0REPLA", "discovery"): 3, ("U0REPLA", "closing"): 2}
    # The rep's own scorecard: every rating kept, so the level shows how it got there.
    assert "*Rubric:* Discovery 2 → 3 → 3/4, Closing 2/4" in await home_text(
        week.sandbox, week.driver, "U0REPLA"
    )
    # Saved again without Closing: that rating is withdrawn, the rest kept.
    again = await open_diagnosis(week, "U0REPLA")
    assert initial(again, rating_field("closing")) == "2"  # this week's, as saved
    await week.driver.submit("U0MGRA", again, {**EVIDENCE, **focus("discovery", 3)})
    assert await ratings(week) == {("U0REPLA", "discovery"): 3}


async def test_a_focus_that_transferred_moves_on(week: Week) -> None:
    await week.run_until(TUESDAY_EVENING)
    view = await open_diagnosis(week, "U0REPNY")
    assert initial(view, "focus_skill") == "objection_handling"  # after Discovery's 4
    assert "transferred" in json.dumps(view["blocks"])
    assert initial(view, rating_field("discovery")) == "2"  # carried over, still shown


async def test_a_knowledge_gap_gets_an_assignment_not_a_role_play(week: Week) -> None:
    await week.run_until(TUESDAY_EVENING)
    view = await open_diagnosis(week, "U0REPLA")
    knowledge = {
        "can_do": chosen("yes", "radio_buttons"),
        "knows": chosen("no", "radio_buttons"),
        "evidence_url": typed(CLIP),
        **focus("discovery", 3),
    }
    answer = await week.driver.submit("U0MGRA", view, knowledge)
    saved = json.dumps(answer.json())
    assert "Suggested assignment: *Know the outcomes we sell*" in saved

    await week.run_until(MONDAY + timedelta(days=2, hours=18))  # Wednesday: the agenda
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
    grow = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
    assert initial(grow, "drill_choice") == "discovery_outcomes"
    assert "practice_reps" not in {b.get("block_id") for b in grow["blocks"]}  # done once
    notes = {
        "goal": typed("Name one business outcome on the Zenith call"),
        "reality": typed("Couldn't say what customers bought us for"),
        "options": typed("Ask a peer\nRead two won deals\nAsk the CSM"),
        "commitment": typed("Learn the three outcomes by Friday"),
        **held_to(grow, "Zenith at proposal", "the three outcomes, each with a number"),
        "drill_choice": chosen("discovery_outcomes"),
        "practice_reps": typed("3"),  # forged: an assignment has no number of recordings
    }
    answer = await week.driver.submit("U0MGRA", grow, notes)
    assert answer.json()["response_action"] == "update", answer.text
    card = await week.sandbox.wait_for_call(
        "chat.postMessage", where=lambda c: "assignment" in str(c.args.get("text"))
    )
    text = blocks_to_text(card.args["blocks"])
    assert "Your assignment: Know the outcomes we sell" in text
    assert "*Done when:* You send your manager the three outcomes" in text
    assert "Practice" not in text


async def test_an_admin_rewords_the_rubric_and_adds_to_it(week: Week) -> None:
    driver, sandbox = week.driver, week.sandbox
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert "*Rubric* (levels 1–4, the same for every rep): Discovery · Objection handling" in home

    async def open_form(user: str, key: str) -> dict[str, Any] | str:
        since = sandbox.mark()
        responses = len(sandbox.state.responses)
        if key == "new":
            answer = await driver.click(user, Action.ADD_COMPETENCY, "comp|new", message=HOME)
        else:
            answer = await driver.click(
                user, Action.EDIT_COMPETENCY, selected=f"comp|{key}", message=HOME
            )
        assert answer.status == 200
        try:
            call = await sandbox.wait_for_call("views.open", since=since, timeout_s=1.0)
        except TimeoutError:
            return str((await sandbox.wait_for_response(since=responses))["text"])
        return dict(call.response["view"])

    # Nobody but an admin may open it: a manager, a director, a rep.
    for outsider in ("U0MGRA", "U0DIR", "U0REPLA"):
        refusal = await open_form(outsider, "discovery")
        assert isinstance(refusal, str) and "change the rubric" in refusal, refusal
    form = await open_form("U0ADMIN", "discovery")
    assert isinstance(form, dict)
    assert block(form, "competency_level_1")["element"]["initial_value"].startswith("Asks surface")

    def values(name: str, *levels: str) -> dict[str, Any]:
        return {
            "competency_name": typed(name),
            **{f"competency_level_{n}": typed(t) for n, t in enumerate(levels, start=1)},
        }

    good = ("Asks about budget only.", "Asks why, once.", "Asks why, twice.", "Ties it to a KPI.")
    for bad, field, words in (
        (values("Discovery", "", *good[1:]), "competency_level_1", "sounds like on a call"),
        (values("Closing", *good), "competency_name", "by that name"),
        (values("Discovery", "x" * 71, *good[1:]), "competency_level_1", "70 characters"),
    ):
        answer = await driver.submit("U0ADMIN", form, bad)
        assert answer.json()["response_action"] == "errors", answer.text
        assert words in answer.json()["errors"][field]
    # A forged submission by someone else changes nothing either.
    forged = await driver.submit("U0MGRA", form, values("Discovery", *good))
    assert "change the rubric" in json.dumps(forged.json())
    async with week.deps.reads() as session:
        assert int(await session.scalar(select(func.count()).select_from(Competency)) or 0) == 0

    answer = await driver.submit("U0ADMIN", form, values("Discovery", *good))
    assert answer.json()["response_action"] == "update", answer.text
    new = await open_form("U0ADMIN", "new")
    assert isinstance(new, dict)
    story = ("Lists features.", "Tells one story.", "Tells the buyer's story.", "They retell it.")
    answer = await driver.submit("U0ADMIN", new, values("Demo storytelling", *story))
    assert answer.json()["response_action"] == "update", answer.text

    # The manager's next diagnosis uses the new wording and the new competency; the rep's
    # earlier Discovery ratings keep their levels.
    await week.run_until(TUESDAY_EVENING)
    view = await open_diagnosis(week, "U0REPLA")
    discovery = block(view, rating_field("discovery"))["element"]["options"]
    assert discovery[0]["text"]["text"] == "1 — Asks about budget only."
    storytelling = block(view, rating_field("own:1"))
    assert storytelling["label"]["text"] == "Demo storytelling"
    answer = await driver.submit("U0MGRA", view, {**EVIDENCE, **focus("own:1", 1, discovery=3)})
    assert answer.json()["response_action"] == "update", answer.text
    assert await ratings(week) == {("U0REPLA", "own:1"): 1, ("U0REPLA", "discovery"): 3}
    assert "Discovery 2 → 3 → 3/4, Demo storytelling 1/4" in await home_text(
        sandbox, driver, "U0REPLA"
    )


async def test_the_one_page_scorecard_opens_for_the_rep_and_their_coaches_only(
    week: Week,
) -> None:
    driver, sandbox = week.driver, week.sandbox
    await week.run_until(TUESDAY_EVENING)
    view = await open_diagnosis(week, "U0REPLA")
    await driver.submit("U0MGRA", view, {**EVIDENCE, **focus("discovery", 3, closing=2)})
    value = f"U0REPLA|{CYCLE}"

    async def opened(user: str) -> str:
        since, responses = sandbox.mark(), len(sandbox.state.responses)
        answer = await driver.click(user, Action.OPEN_SCORECARD, value, message=HOME)
        assert answer.status == 200
        try:
            call = await sandbox.wait_for_call("views.open", since=since, timeout_s=1.0)
        except TimeoutError:
            return "refused: " + str((await sandbox.wait_for_response(since=responses))["text"])
        assert call.ok, call.response
        return blocks_to_text(call.args["view"]["blocks"])

    # The rep's Home offers it; the manager's Home lists each rep in a menu.
    assert "Open my one-page scorecard" in await home_text(sandbox, driver, "U0REPLA")
    await home_text(sandbox, driver, "U0MGRA")
    publish = [
        c
        for c in sandbox.state.calls
        if c.method == "views.publish" and c.args.get("user_id") == "U0MGRA"
    ]
    published = publish[-1].args["view"]["blocks"]
    menu = next(b for b in published if b.get("block_id") == "team_scorecards")
    assert [o["value"] for o in menu["elements"][0]["options"]] == [
        f"U0REPLA|{CYCLE}",
        f"U0REPNY|{CYCLE}",
    ]

    page = await opened("U0REPLA")
    assert "*Your scorecard*, week 2026-W48" in page
    assert (
        "*Discovery* 3/4 (2 → 3 → 3): Digs into the problem unasked: how often, what it costs, "
        "who feels it." in page
    )
    assert "*Objection handling*: not rated yet" in page
    # Three weeks on Discovery since W46's Monday; then the next two, 30 days apart.
    assert "*Days 1–30* (since Mon Nov 9): *Discovery*, week 3: level 3 now, target 4" in page
    assert "*Days 31–60* (from about Wed Dec 9): Objection handling: not rated yet" in page
    assert "*Days 61–90* (from about Fri Jan 8): Multi-threading: not rated yet" in page
    assert (
        "• 2026-W47: Ask three follow-ups on every call — and we hold the Acme deal at "
        "proposal by Friday" in page
    )
    assert "target 100%" in page and "target 4+ within 3 weeks" in page and "70%+" in page
    assert "PRIVATE" not in page

    coach_page = await opened("U0MGRA")
    assert "<@U0REPLA>'s scorecard" in coach_page or "@U0REPLA's scorecard" in coach_page
    assert "scorecard" in await opened("U0DIR")  # the manager's director
    for outsider in ("U0REPNY", "U0MGRB", "U0DIR2"):  # another rep, team, director
        refusal = await opened(outsider)
        assert refusal.startswith("refused: "), (outsider, refusal)
