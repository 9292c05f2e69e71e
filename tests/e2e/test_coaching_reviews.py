"""Coaching the coaches over signed HTTP: a director reviews a manager's 1:1 from the App Home;
a bad form stores nothing; the manager gets the review by DM exactly once (saved twice, or by
two replicas at once); everyone but that director is refused; the figures add up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.ledger import Ledger
from app.db.models import CoachingReview, Delivery
from app.demo.simulation import acting_as
from app.rules.drills import BUILT_IN
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver, ticked, typed
from app.sandbox.harness import start_bot
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import diagnoses, one_on_ones
from app.slack.ids import Action
from app.slack.metadata import RepRef
from tests.support.factories import SIGNING_SECRET, TEAM_ID
from tests.support.log_capture import Capture
from tests.support.slack_answers import home_text
from tests.support.week import Week, open_week

ROSTER = """slack_user_id,role,manager_slack_user_id,timezone
U0DIR,director,,America/New_York
U0DIRB,director,,Europe/Berlin
U0MGRA,manager,U0DIR,America/Los_Angeles
U0MGRB,manager,U0DIR,Europe/Berlin
U0MGRC,manager,U0DIRB,Europe/Berlin
U0REPLA,rep,U0MGRA,America/Los_Angeles
U0REPNY,rep,U0MGRA,America/New_York
U0REPBER,rep,U0MGRB,Europe/Berlin
U0REPC,rep,U0MGRC,Europe/Berlin
U0ADMIN,admin,,UTC
"""
ZONES = {
    "U0DIR": "America/New_York",
    "U0DIRB": "Europe/Berlin",
    "U0MGRA": "America/Los_Angeles",
    "U0MGRB": "Europe/Berlin",
    "U0MGRC": "Europe/Berlin",
    "U0REPLA": "America/Los_Angeles",
    "U0REPNY": "America/New_York",
    "U0REPBER": "Europe/Berlin",
    "U0REPC": "Europe/Berlin",
    "U0ADMIN": "UTC",
}
CYCLE = "2026-W48"
WEDNESDAY = datetime(2026, 11, 25, 20, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 26, 15, tzinfo=UTC)  # every zone here is in W48
CLIP = "https://app.gong.io/call?id=1"
NOTE = "Strong focus. Let Ana find the options before you offer yours."


async def log_one_on_one(
    week: Week, manager: str, rep: str, *, commitment: str, follow_up: date | None
) -> None:
    """A held 1:1 logged through the GROW form's use case; one without a follow-up is stored
    as notes saved before the form required one (the number and the follow-up) were."""
    async with acting_as(week.deps, TEAM_ID, manager, WEDNESDAY) as (store, actor):
        form = one_on_ones.GrowInput(
            goal="CFO agrees to a business-case review",
            reality="Discounted at the first push",
            options="Reframe\nCost of delay\nBring the champion",
            commitment=commitment,
            drill_choice="objection_reframe",
            accountability="the Acme deal at proposal",
            follow_up_on=follow_up,
            follow_up_check="price reframes on the next pricing calls",
            private_notes="PRIVATE: wants a senior role",
        )
        ledger = Ledger(store.session)
        if follow_up is not None:
            await one_on_ones.log_one_on_one(
                store, ledger, actor, rep, CYCLE, form, WEDNESDAY, "UTC"
            )
            return
        person = await store.person(actor.workspace.id, rep)
        assert person is not None and actor.person is not None
        older = {
            "author_id": actor.person.id,
            "held": True,
            "goal": form.goal,
            "reality": form.reality,
            "options": form.options.splitlines(),
            "commitment": commitment,
            "drill": BUILT_IN["objection_reframe"].as_json(),
            "private_notes": form.private_notes,
        }
        await store.save_one_on_one(person.id, CYCLE, older, WEDNESDAY)


async def diagnose(week: Week, manager: str, rep: str) -> None:
    form = diagnoses.DiagnosisInput(
        answers={"can_do": False},
        gap_override=None,
        focus="objection_handling",
        evidence_url=CLIP,
        levels={"objection_handling": "2"},
    )
    at = WEDNESDAY - timedelta(days=1)
    async with acting_as(week.deps, TEAM_ID, manager, at) as (store, actor):
        await diagnoses.diagnose(store, actor, rep, CYCLE, form, at)


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, ROSTER, ZONES, THURSDAY) as opened:
        await diagnose(opened, "U0MGRA", "U0REPLA")
        await log_one_on_one(
            opened,
            "U0MGRA",
            "U0REPLA",
            commitment="Use the reframe on three calls",
            follow_up=date(2026, 12, 2),
        )
        await log_one_on_one(
            opened, "U0MGRA", "U0REPNY", commitment="Ask for the meeting", follow_up=None
        )
        await log_one_on_one(opened, "U0MGRC", "U0REPC", commitment="Book 2 demos", follow_up=None)
        yield opened


async def home_blocks(week: Week, user: str) -> list[dict[str, Any]]:
    since = week.sandbox.mark()
    await week.driver.open_home(user)
    call = await week.sandbox.wait_for_call(
        "views.publish", since=since, where=lambda c: c.args.get("user_id") == user
    )
    assert call.ok, call.response
    return list(call.args["view"]["blocks"])


def review_button(blocks: list[dict[str, Any]], rep: str) -> str:
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == Action.REVIEW_ONE_ON_ONE and rep in str(block["text"]):
            return str(accessory["value"])
    raise LookupError(f"no Review button for {rep}")


async def open_review(driver: SlackDriver, week: Week, user: str, value: str) -> dict[str, Any]:
    since = week.sandbox.mark()
    answer = await driver.click(user, Action.REVIEW_ONE_ON_ONE, value)
    assert answer.status == 200
    call = await week.sandbox.wait_for_call("views.open", since=since)
    assert call.ok, call.response
    return dict(call.response["view"])


async def reviews_and_dms(week: Week) -> tuple[int, list[Delivery]]:
    async with week.deps.db() as session:
        reviews = await session.scalar(select(func.count()).select_from(CoachingReview))
        dms = (
            await session.scalars(select(Delivery).where(Delivery.kind == Step.COACHING_REVIEW))
        ).all()
    return int(reviews or 0), list(dms)


def review_dms(sandbox: SlackSandbox, manager: str) -> list[str]:
    channel = sandbox.state.dm_channel(manager)
    return [
        str(c.args["text"])
        for c in sandbox.calls_to("chat.postMessage", ok_only=True)
        if c.args.get("channel") in (channel, manager) and "reviewed your 1:1" in c.args["text"]
    ]


async def test_a_director_reviews_a_managers_one_on_one_from_the_home(
    week: Week, debug_capture: Capture
) -> None:
    home = await home_blocks(week, "U0DIR")
    text = blocks_to_text(home)
    assert "Review your managers' 1:1s" in text
    assert "@U0MGRA's 1:1 with @U0REPLA, 2026-W48 — not reviewed yet" in text
    assert "@U0REPC" not in text  # another director's manager's 1:1
    view = await open_review(week.driver, week, "U0DIR", review_button(home, "U0REPLA"))

    # The record as the director may see it (notes_for would show them the same), and the
    # checklist with what coach could read from it already ticked.
    shown = blocks_to_text(view["blocks"])
    assert "@U0MGRA's 1:1 with @U0REPLA, week 2026-W48" in shown
    assert "CFO agrees to a business-case review" in shown and "PRIVATE" in shown
    assert "focus Objection handling" in shown
    checklist = next(b for b in view["blocks"] if b.get("block_id") == "checklist")
    initial = {o["value"] for o in checklist["element"]["initial_options"]}
    assert initial == {"one_focus", "call_evidence", "measurable", "follow_up"}

    # Nothing ticked and no note: refused inline, nothing stored, nobody messaged.
    empty = await week.driver.submit(
        "U0DIR", view, {"checklist": ticked(), "review_note": typed("")}
    )
    assert empty.json()["response_action"] == "errors"
    assert "empty review" in empty.json()["errors"]["review_note"]
    forged = await week.driver.submit("U0DIR", view, {"checklist": ticked("one_focus", "bribe")})
    assert set(forged.json()["errors"]) == {"checklist"}
    assert await reviews_and_dms(week) == (0, [])

    values = {
        "checklist": ticked("one_focus", "call_evidence", "measurable", "follow_up"),
        "review_note": typed(NOTE),
    }
    saved = await week.driver.submit("U0DIR", view, values)
    assert saved.json()["response_action"] == "update"
    assert "4 of 6" in str(saved.json()["view"]) and "sending it to them" in str(saved.json())
    await week.settle()
    dms = review_dms(week.sandbox, "U0MGRA")
    assert dms == [
        "<@U0DIR> reviewed your 1:1 with <@U0REPLA> (week 2026-W48): 4 of 6 on the coaching "
        "checklist."
    ]
    dm = await week.last_dm("U0MGRA", Step.COACHING_REVIEW)
    said = blocks_to_text(dm["blocks"])
    assert "✓ You worked on one focus skill" in said
    assert "✗ Let the rep come up with the options" in said
    assert "✗ Talk less than 40% of the time" in said and NOTE in said
    assert review_dms(week.sandbox, "U0REPLA") == []  # the rep never sees it

    # Saved again (an edit): stored, never messaged twice, however often the outbox ticks.
    again = await open_review(week.driver, week, "U0DIR", review_button(home, "U0REPLA"))
    assert "You reviewed this 1:1 already" in blocks_to_text(again["blocks"])
    edited = await week.driver.submit(
        "U0DIR", again, {"checklist": ticked("one_focus"), "review_note": typed(NOTE)}
    )
    assert "already has your review" in str(edited.json()["view"])
    await week.tick(THURSDAY + timedelta(minutes=30))
    assert len(review_dms(week.sandbox, "U0MGRA")) == 1
    reviews, deliveries = await reviews_and_dms(week)
    assert reviews == 1 and [d.status for d in deliveries] == [DeliveryStatus.SENT]
    async with week.deps.db() as session:
        stored = (await session.scalars(select(CoachingReview))).one()
    assert stored.ticked == ["one_focus"] and stored.note == NOTE

    # The Home says it is reviewed (the edit's figure).
    after = await home_text(week.sandbox, week.driver, "U0DIR")
    assert "@U0MGRA's 1:1 with @U0REPLA, 2026-W48 — reviewed: 1/6" in after
    # Logs carry ids, never the note.
    logged = "\n".join(debug_capture.lines)
    assert f"delivery sent id={deliveries[0].id} kind=coaching_review" in logged
    assert "Ana find the options" not in logged


async def test_a_second_review_of_the_same_week_reaches_the_manager_once_across_replicas(
    week: Week,
) -> None:
    home = await home_blocks(week, "U0DIR")
    first = await open_review(week.driver, week, "U0DIR", review_button(home, "U0REPLA"))
    await week.driver.submit("U0DIR", first, {"checklist": ticked("one_focus")})
    second = await open_review(week.driver, week, "U0DIR", review_button(home, "U0REPNY"))
    # Nothing coach can read from this record: no diagnosis, no number, no follow-up.
    checklist = next(b for b in second["blocks"] if b.get("block_id") == "checklist")
    assert "initial_options" not in checklist["element"]
    replica = await start_bot(week.deps)
    other = SlackDriver(week.sandbox, replica.url, SIGNING_SECRET)
    try:
        values = {"checklist": ticked("rep_options"), "review_note": typed("Good questions")}
        answers = await asyncio.gather(
            week.driver.submit("U0DIR", second, values),
            other.submit("U0DIR", second, values),
            week.driver.submit("U0DIR", second, values),
        )
        assert all(a.json()["response_action"] == "update" for a in answers)
        await replica.settle()
        await week.settle()
    finally:
        await other.close()
        await replica.stop()
    await week.tick(THURSDAY + timedelta(minutes=30))
    dms = review_dms(week.sandbox, "U0MGRA")
    assert sorted(dms) == sorted(
        [
            "<@U0DIR> reviewed your 1:1 with <@U0REPLA> (week 2026-W48): 1 of 6 on the "
            "coaching checklist.",
            "<@U0DIR> reviewed your 1:1 with <@U0REPNY> (week 2026-W48): 1 of 6 on the "
            "coaching checklist.",
        ]
    )
    reviews, deliveries = await reviews_and_dms(week)
    assert reviews == 2 and len(deliveries) == 2
    assert week.posted_twice() == []


@pytest.mark.parametrize(
    "who",
    [
        "U0DIRB",  # another director
        "U0MGRA",  # the manager who logged it
        "U0MGRB",  # another manager
        "U0REPLA",  # the rep
        "U0REPNY",  # another rep
        "U0ADMIN",  # an admin, who leads nobody
    ],
)
async def test_only_the_managers_director_may_open_or_save_a_review(week: Week, who: str) -> None:
    refusal = "Only the director of the manager who logged this 1:1 can review it."
    value = RepRef("U0REPLA", CYCLE).dump()
    # A forged click (as if from a message, so the refusal has somewhere to go).
    assert await week.refused(
        who, {"ts": "1.0", "blocks": []}, Action.REVIEW_ONE_ON_ONE, value
    ) == (refusal)
    # A forged submission of the director's own form: checked again, refused, nothing stored.
    home = await home_blocks(week, "U0DIR")
    view = await open_review(week.driver, week, "U0DIR", review_button(home, "U0REPLA"))
    answer = await week.driver.submit(who, view, {"checklist": ticked("one_focus")})
    assert refusal in str(answer.json()["view"])
    assert await reviews_and_dms(week) == (0, [])


async def test_a_one_on_one_that_didnt_happen_or_isnt_logged_has_nothing_to_review(
    week: Week,
) -> None:
    message = {"ts": "1.0", "blocks": []}
    value = RepRef("U0REPBER", CYCLE).dump()  # U0MGRB logged nothing
    said = await week.refused("U0DIR", message, Action.REVIEW_ONE_ON_ONE, value)
    assert said == (
        "There's no held 1:1 logged for <@U0REPBER> that week, so there is nothing to review."
    )
    assert await reviews_and_dms(week) == (0, [])
