"""One whole week over signed HTTP against the sandbox: reps in Los Angeles, New York, Berlin
and Kolkata; every tick run twice; each step once, at the right local hour."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.clock import FrozenClock
from app.db.models import Delivery, Diagnosis, DrillReport, OneOnOne, Person, Submission
from app.deps import Deps
from app.domain.types import DeliveryStatus, Step
from app.outbox import Outbox
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients
from app.slack.ids import Action
from tests.conftest import SIGNING_SECRET, empty_tables, make_settings, seed_org

TEAM_CSV = """slack_user_id,role,manager_slack_user_id,timezone
U0DIR,director,,America/New_York
U0MGRA,manager,U0DIR,America/Los_Angeles
U0MGRB,manager,U0DIR,Europe/Berlin
U0REPLA,rep,U0MGRA,America/Los_Angeles
U0REPNY,rep,U0MGRA,America/New_York
U0REPBER,rep,U0MGRB,Europe/Berlin
U0REPKOL,rep,U0MGRB,Asia/Kolkata
"""
TZ = {
    "U0DIR": "America/New_York",
    "U0MGRA": "America/Los_Angeles",
    "U0MGRB": "Europe/Berlin",
    "U0REPLA": "America/Los_Angeles",
    "U0REPNY": "America/New_York",
    "U0REPBER": "Europe/Berlin",
    "U0REPKOL": "Asia/Kolkata",
}
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE = "2026-W48"


@dataclass
class Week:
    deps: Deps
    clock: FrozenClock
    sandbox: SlackSandbox
    driver: SlackDriver
    outbox: Outbox
    kinds: dict[int, Step] = field(default_factory=dict)

    async def tick(self, at: datetime) -> None:
        """Tick at `at` twice: the second must change nothing."""
        self.clock.set(at)
        await self.outbox.tick(at)
        calls = len(self.sandbox.state.calls)
        report = await self.outbox.tick(at)
        assert report.planned == 0 and not report.outcomes
        assert len(self.sandbox.state.calls) == calls

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=30)) -> None:
        while self.clock.now + step <= end:
            await self.tick(self.clock.now + step)

    def last_dm(self, user: str, kind: Step) -> dict[str, Any]:
        for message in reversed(self.sandbox.messages_to(user)):
            payload = (message.metadata or {}).get("event_payload") or {}
            if payload and self.kind_of(payload["delivery_id"]) is kind:
                return message.as_slack()
        raise AssertionError(f"{user} has no {kind.value} message")

    def kind_of(self, delivery_id: int) -> Step:
        return self.kinds[delivery_id]

    async def refresh_kinds(self) -> None:
        async with self.deps.db() as session:
            rows = (await session.execute(select(Delivery.id, Delivery.kind))).all()
        self.kinds = {row.id: Step(row.kind) for row in rows}

    async def click(self, user: str, message: dict[str, Any], action_id: str, value: str) -> Any:
        since = self.sandbox.mark()
        answer = await self.driver.click(user, action_id, value, message=message)
        assert answer.status == 200
        return since

    async def refused(self, user: str, message: dict[str, Any], action_id: str, value: str) -> str:
        """Click as someone who may not: the answer is an ephemeral sentence."""
        since = len(self.sandbox.state.responses)
        await self.driver.click(user, action_id, value, message=message)
        return str((await self.sandbox.wait_for_response(since=since))["text"])

    async def open_modal(
        self, user: str, message: dict[str, Any], action_id: str, value: str
    ) -> dict:
        since = await self.click(user, message, action_id, value)
        call = await self.sandbox.wait_for_call("views.open", since=since)
        assert call.ok, call.response
        return call.response["view"]


def button_value(message: dict[str, Any], action_id: str, block_prefix: str = "") -> str:
    for block in message.get("blocks") or []:
        if block["type"] == "actions" and block.get("block_id", "").startswith(block_prefix):
            for element in block["elements"]:
                if element["action_id"] == action_id:
                    return str(element["value"])
    raise AssertionError(f"no {action_id} button")


def typed(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    for user, tz in TZ.items():
        sandbox.add_user(user, user.removeprefix("U0").title(), tz)
    clock = FrozenClock(MONDAY)
    deps = Deps.build(make_settings(database_url, sandbox), clock)
    await empty_tables(deps)
    await seed_org(deps, TEAM_CSV)
    bot: RunningBot = await start_bot(deps)
    driver = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    yield Week(deps, clock, sandbox, driver, Outbox(deps, OutboxClients(deps), owner="test"))
    await driver.close()
    await bot.stop()
    await deps.close()


async def sent(deps: Deps) -> list[tuple[str, Step, datetime]]:
    async with deps.db() as session:
        rows = (
            await session.execute(
                select(Person.slack_user_id, Delivery.kind, Delivery.sent_at)
                .join(Person, Person.id == Delivery.person_id)
                .where(Delivery.status == DeliveryStatus.SENT)
                .order_by(Delivery.sent_at)
            )
        ).all()
    return [(user, Step(kind), at) for user, kind, at in rows]


def local(user: str, at: datetime) -> str:
    return f"{at.astimezone(ZoneInfo(TZ[user])):%a %H:%M}"


async def test_a_whole_week_in_four_time_zones(week: Week) -> None:
    # --- Monday: prompts at each rep's 09:00 ---------------------------------------------
    await week.run_until(MONDAY + timedelta(hours=9))  # 10:00 in Berlin
    await week.refresh_kinds()
    # Berlin asks to be reminded later (twice: one reminder), then answers in the thread.
    prompt = week.last_dm("U0REPBER", Step.REP_PROMPT)
    value = button_value(prompt, Action.SNOOZE)
    for _ in range(2):
        since = await week.click("U0REPBER", prompt, Action.SNOOZE, value)
        await week.sandbox.wait_for_call("chat.update", since=since)

    # A rep cannot open someone else's deals.
    refusal = await week.refused("U0REPKOL", prompt, Action.OPEN_DEALS, value)
    assert "someone else" in refusal

    await week.run_until(MONDAY + timedelta(hours=11))  # 12:00 in Berlin
    await week.refresh_kinds()
    again = week.last_dm("U0REPBER", Step.PROMPT_AGAIN)
    await week.driver.dm(
        "U0REPBER", "Initech https://chorus.ai/m/3 - lost the CFO", thread_ts=again["ts"]
    )

    await week.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
    await week.refresh_kinds()

    # Los Angeles shares deals in the modal.
    prompt = week.last_dm("U0REPLA", Step.REP_PROMPT)
    view = await week.open_modal(
        "U0REPLA", prompt, Action.OPEN_DEALS, button_value(prompt, Action.OPEN_DEALS)
    )
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
    await week.refresh_kinds()
    prep = week.last_dm("U0MGRA", Step.MANAGER_PREP)
    assert "Acme" in str(prep["blocks"]) and "Globex" in str(prep["blocks"])
    diagnose = button_value(prep, Action.DIAGNOSE, "prep:U0REPLA")

    refusal = await week.refused("U0MGRB", prep, Action.DIAGNOSE, diagnose)  # another manager
    assert "Only <@U0REPLA>'s manager" in refusal

    view = await week.open_modal("U0MGRA", prep, Action.DIAGNOSE, diagnose)
    answer = await week.driver.submit(
        "U0MGRA",
        view,
        {
            "can_do": {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
            "focus_skill": typed("Objection handling"),
            "evidence_url": typed("https://app.gong.io/call?id=1"),
            "evidence_moment": typed("12:30"),
        },
    )
    assert answer.json()["response_action"] == "update"

    # --- Wednesday: agenda; GROW notes; the drill card ------------------------------------
    await week.run_until(MONDAY + timedelta(days=2, hours=18))
    await week.refresh_kinds()
    agenda = week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    assert "skill" in str(agenda["blocks"]) and "Log 1:1 notes" in str(agenda["blocks"])
    for rep in ("U0REPLA", "U0REPNY"):
        value = button_value(agenda, Action.LOG_NOTES, f"agenda:{rep}")
        view = await week.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
        notes = {
            "goal": typed("CFO agrees to a business-case review"),
            "reality": typed("Discounted at the first push"),
            "options": typed("Reframe as investment\nAsk about cost of delay\nBring the champion"),
            "commitment": typed("Use the reframe on three calls this week"),
            "drill_choice": chosen("objection_reframe"),
            "practice_reps": typed("3"),
            "private_notes": typed("PRIVATE: seems tired lately"),
        }
        since = week.sandbox.mark()
        answer = await week.driver.submit("U0MGRA", view, notes)
        assert answer.json()["response_action"] == "update", answer.text
        card = await week.sandbox.wait_for_call(
            "chat.postMessage", since=since, where=lambda c, r=rep: c.args["channel"] == r
        )
        assert "Objection reframe" in card.args["text"]
        assert "PRIVATE" not in str(card.args)

    # --- Thursday: Los Angeles records the drill -------------------------------------------
    await week.run_until(MONDAY + timedelta(days=3, hours=20))
    bad = await week.driver.command("U0REPLA", "/drill", "done not-a-link")
    assert "https://" in bad.json()["text"]
    done = await week.driver.command(
        "U0REPLA", "/drill", "done https://app.gong.io/call?id=9 nailed it"
    )
    assert "Recorded your" in done.json()["text"]
    none = await week.driver.command("U0REPBER", "/drill", "done https://app.gong.io/call?id=10")
    assert "no drill assigned" in none.json()["text"]

    # --- Friday and the weekend ------------------------------------------------------------
    await week.run_until(MONDAY + timedelta(days=6))
    await week.refresh_kinds()

    deliveries = await sent(week.deps)
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
    assert when[("U0REPNY", Step.DRILL_CHECK)] == "Fri 12:00"  # no recording
    assert ("U0REPLA", Step.DRILL_CHECK) not in when  # recorded on Thursday
    assert when[("U0MGRA", Step.MANAGER_HEADS_UP)] == "Fri 16:00"
    heads_up = week.last_dm("U0MGRA", Step.MANAGER_HEADS_UP)
    assert "U0REPNY" in heads_up["text"] and "U0REPLA" not in heads_up["text"]

    async with week.deps.db() as session:
        submissions = (await session.scalars(select(Submission))).all()
        assert {len(s.deals) for s in submissions} == {1}
        assert len(submissions) == 3
        assert len((await session.scalars(select(Diagnosis))).all()) == 1
        assert len((await session.scalars(select(OneOnOne))).all()) == 2
        assert len((await session.scalars(select(DrillReport))).all()) == 1

    # Nothing a rep can see carries the manager's private notes.
    for rep in ("U0REPLA", "U0REPNY"):
        assert "PRIVATE" not in str([m.as_slack() for m in week.sandbox.messages_to(rep)])
    assert all(call.ok for call in week.sandbox.state.calls if call.method != "views.open")
