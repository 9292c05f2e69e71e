"""What coach says matches what it does: long notes shown whole, who sees the notes, when
things are due after a schedule change, insights only once they can be true, and a system gap
followed until it is resolved."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.models import ManagerAction, OneOnOne
from app.db.store import Store
from app.demo.form_values import focus
from app.demo.simulation import PastWeek, acting_as, record_past_week
from app.deps import Deps
from app.rules import calendar
from app.rules.commitment import JOIN, Commitment, commitment_sentence, follow_up_check
from app.rules.form_fields import rating_field
from app.rules.insights import Kind
from app.rules.refusals import UserError
from app.rules.rubric import DEFAULT_RUBRIC
from app.rules.types import Gap, Step
from app.sandbox.driver import SlackDriver, button_value, chosen, typed
from app.sandbox.harness import start_bot
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import diagnoses, one_on_ones, people
from app.services.one_on_ones import NotesShown
from app.slack.ids import Action
from app.slack.metadata import ActionRef
from app.slack.render.app_home import WHO_SEES_YOUR_NOTES
from app.slack.render.blocks import SECTION_TEXT_LIMIT
from app.slack.render.insight_words import ADVICE
from app.slack.render.notes_view import notes_modal
from tests.support.factories import SIGNING_SECRET, TEAM_ID, seed_org
from tests.support.slack_answers import home_text
from tests.support.week import TEAM_CSV, TZ, Week, open_week


def test_long_grow_notes_are_shown_whole_in_sections_slack_accepts() -> None:
    field = "word " * 590  # 2,950 characters: what a GROW field holds (3,000 at most)
    notes = NotesShown(
        rep="U0REPA1",
        cycle="2026-W48",
        logged=True,
        held=True,
        goal=field + "GOALEND",
        reality=field + "REALITYEND",
        options=tuple(f"option {n} " * 60 + f"OPTIONEND{n}" for n in range(3)),
        commitment=Commitment(
            commitment_sentence(field + "COMMITEND", field + "NUMBEREND") or "",
            obstacles=field + "OBSTACLEEND",
            follow_up_on=date(2026, 12, 2),
            to_check=follow_up_check(field + "CHECKEND", field + "MEASUREEND"),
        ),
        drill="Objection reframe",
        practice_reps=3,
        private_notes=field + "PRIVATEEND",
    )
    view = notes_modal(notes)
    texts = [b["text"]["text"] for b in view["blocks"]]
    assert all(len(t) <= SECTION_TEXT_LIMIT for t in texts)
    shown = " ".join(texts)
    ends = ("GOAL", "REALITY", "COMMIT", "NUMBER", "OBSTACLE", "CHECK", "MEASURE", "PRIVATE")
    for end in (f"{e}END" for e in ends):
        assert end in shown
    assert all(f"OPTIONEND{n}" in shown for n in range(3))
    assert len(view["blocks"]) <= 100


async def test_the_rep_is_told_who_sees_their_notes_and_that_is_who_can(
    deps: Deps, driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    await record_past_week(
        deps,
        PastWeek(
            TEAM_ID,
            "U0MGRA",
            "U0REPA1",
            "2026-W48",
            focus="Discovery",
            drill="close_next_step",
            commitment="Ask for a date",
            evidence="https://app.gong.io/call?id=6",
            private_notes="PRIVATE-MARKER",
        ),
    )
    home = await home_text(sandbox, driver, "U0REPA1")
    assert WHO_SEES_YOUR_NOTES in home.replace("\n  ", " ")
    async with deps.reads() as session:
        store = Store(session)
        for reader, sees_private in (("U0MGRA", True), ("U0DIR", True), ("U0REPA1", False)):
            actor = await people.actor(store, TEAM_ID, reader)
            notes = await one_on_ones.notes_for(store, actor, "U0REPA1", "2026-W48")
            assert notes.commitment is not None
            assert notes.commitment.sentence == f"Ask for a date{JOIN}{PastWeek.number}"
            assert (notes.private_notes == "PRIVATE-MARKER") is sees_private
        for outsider in ("U0MGRB", "U0REPA2", "U0ADMIN"):
            with pytest.raises(UserError):
                await one_on_ones.notes_for(
                    store, await people.actor(store, TEAM_ID, outsider), "U0REPA1", "2026-W48"
                )


async def test_no_one_is_missing_a_1_1_before_the_1_1s_are_due(
    deps: Deps, sandbox: SlackSandbox, clock: FrozenClock
) -> None:
    """Monday: Maya's Home raises no "Not every rep got a 1:1", and Dana's shows Maya's team
    as not due yet; once Wednesday's notes nudge has come, both say who was missed."""
    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # Monday 09:00 in Los Angeles
    built = Deps.build(deps.settings, clock)
    await seed_org(built)
    bot = await start_bot(built)
    at = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    try:
        assert ADVICE[Kind.UNDER_COVERED] not in await home_text(sandbox, at, "U0MGRA")
        director = await home_text(sandbox, at, "U0DIR")
        assert "@U0MGRA: 0/2 (0%) — this week's 1:1s aren't due yet" in director
        clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # Thursday
        assert ADVICE[Kind.UNDER_COVERED] in await home_text(sandbox, at, "U0MGRA")
        director = await home_text(sandbox, at, "U0DIR")
        assert "@U0MGRA: 0/2 (0%) ⚑ — not coached: @U0REPA1, @U0REPA2" in director
    finally:
        await at.close()
        await bot.stop()
        await built.close()


async def test_drills_are_due_and_reminded_when_the_team_schedule_says(
    database_url: str, sandbox: SlackSandbox
) -> None:
    """Maya's team moved its drill check to Thursday 10:00 and its heads-up to 15:00: the
    drill card says due Thursday, and the heads-up says when the reminder went."""
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, monday) as week:
        for text in ("schedule drill-check thu 10:00", "schedule heads-up thu 15:00"):
            answer = await week.driver.command("U0MGRA", "/coach", text)
            assert answer.json()["text"].startswith("Moved the"), answer.text
        await record_past_week(
            week.deps,
            PastWeek(
                TEAM_ID,
                "U0MGRA",
                "U0REPLA",
                "2026-W48",
                focus="Discovery",
                drill="close_next_step",
                commitment="Ask for a date on every call",
                evidence="https://app.gong.io/call?id=6",
            ),
        )
        await week.run_until(monday + timedelta(days=4, hours=2))  # Thursday, in LA
        card = await week.last_dm("U0REPLA", Step.DRILL_CARD)
        assert "by Thu Nov 26" in card["text"]
        heads_up = await week.last_dm("U0MGRA", Step.MANAGER_HEADS_UP)
        shown = blocks_to_text(heads_up["blocks"])
        assert "They got a drill check on Thu 10:00, their time." in shown
        assert "noon" not in shown and "Monday" not in shown


async def test_a_system_gap_is_the_managers_open_action_until_resolved(
    deps: Deps, driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    now = deps.clock()
    cycle = calendar.current_cycle(now, ZoneInfo("America/Los_Angeles"))
    form = diagnoses.DiagnosisInput(
        answers={"can_do": True, "knows": True, "clear": True, "math_works": False},
        gap_override=None,
        focus="discovery",
        levels={"discovery": "1"},
        manager_action="Ask sales ops to rebalance the West territory",
    )
    async with acting_as(deps, TEAM_ID, "U0MGRA", now) as (store, maya):
        await diagnoses.diagnose(store, maya, "U0REPA1", cycle, form, now)
    home = await home_text(sandbox, driver, "U0MGRA")
    assert "*Open actions* — system gaps you took on" in home
    assert "@U0REPA1: Ask sales ops to rebalance the West territory — open since" in home
    director = await home_text(sandbox, driver, "U0DIR")
    assert "@U0MGRA for @U0REPA1: Ask sales ops to rebalance the West territory" in director
    assert "rebalance" not in await home_text(sandbox, driver, "U0REPA1")  # the rep's isn't

    async with deps.reads() as session:
        (action,) = (await session.scalars(select(ManagerAction))).all()
    value = ActionRef(action.id).dump()
    for outsider in ("U0MGRB", "U0REPA1"):
        refusal = await clicked_answer(driver, sandbox, outsider, value)
        assert refusal.startswith("Only <@U0REPA1>'s manager (or their director)"), refusal
    done = await clicked_answer(driver, sandbox, "U0MGRA", value)
    assert done.startswith("Marked resolved: Ask sales ops to rebalance the West territory")
    assert "rebalance" not in await home_text(sandbox, driver, "U0MGRA")
    assert "rebalance" not in await home_text(sandbox, driver, "U0DIR")


async def test_changing_the_diagnosis_to_another_gap_withdraws_its_action(deps: Deps) -> None:
    await seed_org(deps)
    now = deps.clock()
    cycle = calendar.current_cycle(now, ZoneInfo("America/Los_Angeles"))
    for answers, override in (({"math_works": False}, Gap.SYSTEM), ({"can_do": False}, None)):
        form = diagnoses.DiagnosisInput(
            answers=answers,
            gap_override=override,
            focus="discovery",
            levels={"discovery": "2"},
            evidence_url="https://app.gong.io/call?id=5",
            manager_action="Fix lead routing",
        )
        async with acting_as(deps, TEAM_ID, "U0MGRA", now) as (store, maya):
            await diagnoses.diagnose(store, maya, "U0REPA1", cycle, form, now)
    async with deps.reads() as session:
        assert (await session.scalars(select(ManagerAction))).all() == []


async def clicked_answer(driver: SlackDriver, sandbox: SlackSandbox, user: str, value: str) -> str:
    """Click "Mark resolved" in the App Home as `user`; what they are told (only them)."""
    since = len(sandbox.state.responses)
    message = {"ts": "1700000000.000100", "blocks": []}
    answer = await driver.click(user, Action.RESOLVE_ACTION, value, message=message)
    assert answer.status == 200
    return str((await sandbox.wait_for_response(since=since))["text"])


# --- forms: what they mark needed is what they demand ----------------------------------------
VALID = {
    "can_do": chosen("no", "radio_buttons"),
    "gap_override": chosen("tree"),
    **focus("objection_handling", 2),
    "evidence_url": typed("https://app.gong.io/call?id=1"),
    "manager_action": typed("Ask sales ops to fix lead routing"),
    "goal": typed("CFO agrees to a business-case review"),
    "reality": typed("Discounted at the first push"),
    "options": typed("Reframe\nCost of delay\nBring the champion"),
    "commitment": typed("Use the reframe on three calls"),
    "accountability": typed("the $40K Acme deal at proposal by Friday"),
    "follow_up_on": {"value": {"type": "datepicker", "selected_date": "2026-12-02"}},
    "follow_up_check": typed("price reframes on the next 3 pricing calls"),
    "drill_choice": chosen("objection_reframe"),
    "framework": chosen("grow"),
    "new_drill_name": typed("Price anchor"),
    "new_drill_scenario": typed("The buyer names a competitor's price"),
    "new_drill_success": typed("You anchor on value before numbers"),
}


VALID_SYSTEM = chosen("system")


def inputs(view: dict[str, Any]) -> dict[str, bool]:
    """block_id → whether the form marks it needed (Slack shows "(optional)" otherwise)."""
    return {
        b["block_id"]: not b.get("optional", False) for b in view["blocks"] if b["type"] == "input"
    }


def only_the_needed(view: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A submission filling in exactly what the form marks needed."""
    return {block: VALID[block] for block, needed in inputs(view).items() if needed} | extra


async def refreshed(
    week: Week,
    user: str,
    view: dict[str, Any],
    block: str,
    value: str,
    action: str,
    kind: str,
    also: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Choose `value` in `block` of an open form (`also`: what else the form holds): the
    form as coach re-renders it."""
    since = week.sandbox.mark()
    values = {**(also or {}), block: {action: {"type": kind, "selected_option": {"value": value}}}}
    answer = await week.driver.click(
        user,
        action,
        view={**view, "state": {"values": values}},
        block_id=block,
        selected=value,
        element=kind,
    )
    assert answer.status == 200
    call = await week.sandbox.wait_for_call("views.update", since=since)
    assert call.ok, call.response
    assert call.args["view_id"] == view["id"] and call.args["hash"] == view["hash"]
    return {**call.response["view"], "state": {"values": {}}}


async def test_the_diagnosis_form_asks_what_each_answer_needs(
    database_url: str, sandbox: SlackSandbox
) -> None:
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, monday) as week:
        await week.run_until(monday + timedelta(days=1, hours=18))  # Tuesday: the prep
        prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
        value = button_value(prep, Action.DIAGNOSE, "prep:U0REPLA")
        view = await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, value)
        # One question at a time, each needed; the clip needed; no manager's action yet.
        assert inputs(view) == {
            "can_do": True,
            "gap_override": True,
            "focus_skill": True,
            "evidence_url": True,
            "evidence_moment": False,
            "evidence_quote": False,
            "did": False,
            "good_looks_like": False,
            # Every competency is rated; which one is needed follows the focus picked.
            **{rating_field(c.key): False for c in DEFAULT_RUBRIC},
        }
        yes = await refreshed(
            week, "U0MGRA", view, "can_do", "yes", Action.DIAGNOSIS_CHANGED, "radio_buttons"
        )
        assert inputs(yes)["knows"] is True  # the next question, after a Yes
        no = await refreshed(
            week, "U0MGRA", yes, "can_do", "no", Action.DIAGNOSIS_CHANGED, "radio_buttons"
        )
        assert "knows" not in inputs(no)  # the first No names the gap: no more questions
        assert "Skill gap" in json.dumps(no["blocks"])
        system = await refreshed(
            week,
            "U0MGRA",
            no,
            "gap_override",
            "system",
            Action.DIAGNOSIS_CHANGED,
            "static_select",
        )
        marked = inputs(system)
        assert marked["manager_action"] is True and marked["evidence_url"] is False
        assert marked["can_do"] is False  # a gap picked by hand needs no answers

        # Picking the focus marks its rating needed, and only its rating.
        focus_pick = ("focus_skill", "objection_handling", Action.DIAGNOSIS_CHANGED)
        tree = {"can_do": VALID["can_do"], "gap_override": VALID["gap_override"]}
        no = await refreshed(week, "U0MGRA", system, *focus_pick, "static_select", tree)
        system = await refreshed(
            week, "U0MGRA", no, *focus_pick, "static_select", {"gap_override": VALID_SYSTEM}
        )
        for form in (no, system):
            rated = {k: v for k, v in inputs(form).items() if k.startswith("rubric_level:")}
            assert rated == {
                rating_field(c.key): c.key == "objection_handling" for c in DEFAULT_RUBRIC
            }

        # Filling in exactly what each version marks needed is enough: nothing more demanded.
        by_hand = {"gap_override": VALID_SYSTEM}
        for form, extra in ((no, {}), (system, by_hand)):
            answer = await week.driver.submit("U0MGRA", form, only_the_needed(form, **extra))
            assert answer.json()["response_action"] == "update", answer.text


async def test_the_grow_form_needs_what_a_held_1_1_needs_and_no_more(
    database_url: str, sandbox: SlackSandbox
) -> None:
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, monday) as week:
        await week.run_until(monday + timedelta(days=2, hours=18))  # Wednesday: the 1:1
        agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
        value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
        view = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
        marked = inputs(view)
        needed = ("goal", "reality", "options", "commitment", "accountability")
        assert all(marked[b] for b in (*needed, "follow_up_on", "follow_up_check"))
        assert not any(marked[b] for b in ("obstacles", "measurement", "private_notes"))
        assert marked["drill_choice"] is True and "not_held" not in marked
        assert "new_drill_name" not in marked
        new = await refreshed(
            week, "U0MGRA", view, "drill_choice", "new", Action.GROW_DRILL_PICKED, "static_select"
        )
        assert all(inputs(new)[f"new_drill_{f}"] for f in ("name", "scenario", "success"))
        for form, extra in ((view, {}), (new, {"drill_choice": chosen("new")})):
            answer = await week.driver.submit("U0MGRA", form, only_the_needed(form, **extra))
            assert answer.json()["response_action"] == "update", answer.text


async def test_a_1_1_that_didnt_happen_is_logged_from_its_own_button(
    database_url: str, sandbox: SlackSandbox
) -> None:
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, monday) as week:
        await week.run_until(monday + timedelta(days=2, hours=18))
        agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
        value = button_value(agenda, Action.NOT_HELD, "agenda:U0REPLA")
        refusal = await week.refused("U0MGRB", agenda, Action.NOT_HELD, value)
        assert refusal.startswith("Only <@U0REPLA>'s manager")
        view = await week.driver.open_modal("U0MGRA", agenda, Action.NOT_HELD, value)
        answer = await week.driver.submit("U0MGRA", view, {})
        assert "Logged as not held" in json.dumps(answer.json()["view"])
        async with week.deps.reads() as session:
            (record,) = (await session.scalars(select(OneOnOne))).all()
        assert record.held is False
