"""The 1:1's commitment: one sentence with the number, asked for in full in the GROW form, and
the same words on the drill card, in the digests, the notes and next week's agenda, which
checks it first in its accountability half."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.demo.form_values import focus
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from tests.support.factories import count_rows
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
WEDNESDAY = MONDAY + timedelta(days=2, hours=18)  # 10:00 in Los Angeles
SENTENCE = (
    "Use option two on three discovery calls — and we hold the $40K Acme deal at proposal by Friday"
)
CHECK = "questions per hour on the next 5 discovery calls (target: 12+ an hour)"
GROW = {
    "goal": typed("CFO agrees to a technical demo by Friday"),
    "reality": typed("Asked two surface questions, then pitched"),
    "options": typed("Ask about the cost of the problem\nAsk who else feels it\nPause"),
    "commitment": typed("Use option two on three discovery calls."),
    "drill_choice": chosen("objection_reframe"),
    "private_notes": typed("PRIVATE: wants a promotion"),
}
HELD_TO = {
    "accountability": typed("We hold the $40K Acme deal at proposal by Friday"),
    "obstacles": typed("Back-to-back demos on Thursday"),
    "follow_up_check": typed("questions per hour on the next 5 discovery calls"),
    "measurement": typed("12+ an hour"),
}


def picked(day: str) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": day}}


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, MONDAY) as opened:
        yield opened


async def grow_form(week: Week, rep: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Wednesday's agenda and the GROW form its "Log 1:1 notes" opens for `rep`."""
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, f"agenda:{rep}")
    return agenda, await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)


def text_of(message: dict[str, Any]) -> str:
    return str(message["blocks"])


async def test_a_held_1_1_needs_the_number_the_follow_up_date_and_what_it_checks(
    week: Week,
) -> None:
    await week.run_until(WEDNESDAY)
    _, view = await grow_form(week, "U0REPLA")
    before = await count_rows(week.deps)

    answer = await week.driver.submit("U0MGRA", view, GROW)  # the follow-up date cleared too
    assert answer.json() == {
        "response_action": "errors",
        "errors": {
            "accountability": (
                "Write the number you'll hold together, e.g. the $40K Acme deal at proposal by "
                "Friday."
            ),
            "follow_up_on": "Pick the day you'll follow up.",
            "follow_up_check": (
                "Say what you'll check at the follow-up, e.g. questions per hour on the next 5 "
                "discovery calls."
            ),
        },
    }
    blank = {**GROW, **HELD_TO, "accountability": typed("  "), "follow_up_on": picked("2026-12-02")}
    answer = await week.driver.submit("U0MGRA", view, blank)
    assert answer.json()["errors"] == {"accountability": answer.json()["errors"]["accountability"]}
    past = {**GROW, **HELD_TO, "follow_up_on": picked("2026-11-24")}
    answer = await week.driver.submit("U0MGRA", view, past)
    assert answer.json()["errors"] == {"follow_up_on": "Pick a follow-up date from today on."}
    assert await count_rows(week.deps) == before  # nothing stored, nothing planned

    # What could get in the way and the target are asked for, not needed.
    enough = {
        **GROW,
        "accountability": typed("the Acme deal at proposal"),
        "follow_up_on": picked("2026-12-02"),
        "follow_up_check": typed("questions per hour"),
    }
    answer = await week.driver.submit("U0MGRA", view, enough)
    assert answer.json()["response_action"] == "update", answer.text


async def test_the_commitment_reads_the_same_everywhere_and_only_for_its_rep(week: Week) -> None:
    await week.run_until(MONDAY + timedelta(days=1, hours=18))  # Tuesday: diagnose a skill gap
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    view = await week.driver.open_modal(
        "U0MGRA", prep, Action.DIAGNOSE, button_value(prep, Action.DIAGNOSE, "prep:U0REPLA")
    )
    diagnosis = {
        "can_do": chosen("no", "radio_buttons"),
        **focus("discovery", 2),
        "evidence_url": typed("https://app.gong.io/call?id=1"),
    }
    assert (await week.driver.submit("U0MGRA", view, diagnosis)).json()["response_action"]

    await week.run_until(WEDNESDAY)
    agenda, view = await grow_form(week, "U0REPLA")
    # The agenda's halves in order, with the minutes of a skill gap's 70/30.
    shown = text_of(agenda)
    coaching = shown.index("1. Coaching — me helping you get better · 21 min")
    assert coaching < shown.index("2. Accountability — us holding the number · 9 min")
    notes = {**GROW, **HELD_TO, "follow_up_on": picked("2026-12-02")}
    answer = await week.driver.submit("U0MGRA", view, notes)
    assert answer.json()["response_action"] == "update", answer.text
    await week.settle()

    card = await week.last_dm("U0REPLA", Step.DRILL_CARD)
    assert f"*Your commitment:* {SENTENCE}" in text_of(card)
    assert "*What could get in the way:* Back-to-back demos on Thursday" in text_of(card)
    assert f"*Follow-up:* Wed Dec 2, we check {CHECK}" in text_of(card)
    assert "PRIVATE" not in str(card) and "technical demo" not in str(card)

    await week.run_until(MONDAY + timedelta(days=5, hours=18), every=timedelta(hours=1))
    rep_digest = await week.last_dm("U0REPLA", Step.DIGEST)
    assert f"*Your commitment:* {SENTENCE}" in text_of(rep_digest)
    manager_digest = await week.last_dm("U0MGRA", Step.DIGEST)
    assert f"<@U0REPLA>: {SENTENCE}" in text_of(manager_digest)
    for other in ("U0REPNY", "U0MGRB", "U0REPBER"):  # another rep; another manager and team
        assert SENTENCE not in str(await week.last_dm(other, Step.DIGEST))

    # Next Wednesday: the accountability half checks it first, word for word.
    await week.run_until(WEDNESDAY + timedelta(days=7), every=timedelta(hours=1))
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    shown = text_of(agenda)
    assert f"*Check last week's commitment:* {SENTENCE}" in shown
    assert f"*Follow-up:* Wed Dec 2, we check {CHECK}" in shown
    rep_agenda = await week.last_dm("U0REPLA", Step.ONE_ON_ONE)
    assert f"Last week you committed to: {SENTENCE}" in text_of(rep_agenda)
    assert text_of(rep_agenda).index("1. Coaching") < text_of(rep_agenda).index("Last week")
    assert SENTENCE not in str(await week.last_dm("U0REPNY", Step.ONE_ON_ONE))
