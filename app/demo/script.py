"""`coach demo`: one simulated week of the real bot against the local Slack sandbox.

No Slack account, no network: a temporary SQLite database, the sandbox on loopback, the
outbox ticking on a hand-moved clock, and people answering through signed requests to the
bot's own /slack/events, the way Slack sends them. The transcript says when each person got
which message (in their own time zone), what they answered, what was recorded, who was nudged.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.clock import FrozenClock, system_clock
from app.config import Settings
from app.db import migrate as migrations
from app.db.models import Delivery, Diagnosis, DrillReport, OneOnOne, Person, Submission
from app.db.store import Store
from app.delivery.roster_import import import_roster
from app.delivery.tick import Outbox
from app.demo.simulation import PastWeek, SimulatedWeek, record_past_week
from app.demo.team import BY_NAME, SAMPLE_TEAM, sample_roster_csv
from app.demo.transcript import NAMES, Transcript
from app.deps import Deps
from app.rules import calendar
from app.rules.types import DeliveryStatus, Step
from app.sandbox.driver import SlackDriver, button_value, chosen, typed
from app.sandbox.harness import start_bot
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services.roster import plural
from app.slack.client import OutboxClients, make_web_client
from app.slack.ids import Action
from app.slack.metadata import RepRef

DEMO_SIGNING_SECRET = "demo-signing-secret"  # only ever signs requests to the local sandbox bot
ANA, BEN, CHEN, DEV, EVE = (BY_NAME[n].slack_user_id for n in ("Ana", "Ben", "Chen", "Dev", "Eve"))
MAYA, OMAR = BY_NAME["Maya"].slack_user_id, BY_NAME["Omar"].slack_user_id
SHOWN_IN_FULL = {
    (MAYA, Step.MANAGER_PREP),
    (MAYA, Step.ONE_ON_ONE),
    (ANA, Step.DRILL_CARD),
    (MAYA, Step.DIGEST),
    (ANA, Step.DIGEST),
}


def _yes_no(*answers: str) -> dict[str, Any]:
    keys = ("can_do", "knows", "clear", "math_works")
    return {k: chosen(a, "radio_buttons") for k, a in zip(keys, answers, strict=False)}


def _url(value: str) -> dict[str, Any]:
    return {"value": {"type": "url_text_input", "value": value}}


class DemoWeek:
    """The week's script: each scene happens at a moment, between outbox ticks."""

    def __init__(self, sim: SimulatedWeek, show: Transcript) -> None:
        self.sim = sim
        self.show = show
        self.box = sim.sandbox
        self.driver = sim.driver

    # --- plumbing -------------------------------------------------------------------
    async def _print_received(self, since: int) -> None:
        for item in await self.sim.received_since(since):
            full = (item.user, item.step) in SHOWN_IN_FULL
            self.show.received(self.sim.now, item, in_full=full)

    async def until(self, at: datetime) -> None:
        async def after_tick(items: list[Any]) -> None:
            for item in items:
                full = (item.user, item.step) in SHOWN_IN_FULL
                self.show.received(self.sim.now, item, in_full=full)

        await self.sim.run_until(at, after_tick=after_tick)

    async def scene(self, at: datetime, play: Callable[[], Awaitable[None]]) -> None:
        """Tick up to `at`, then play the scene and show any DM it caused."""
        await self.until(at)
        since = self.box.mark()
        await play()
        await self.sim.settle()
        await self._print_received(since)

    def modal_text(self, answer: Any) -> str:
        view = (answer.json() or {}).get("view") or {}
        return blocks_to_text(view.get("blocks"), None, NAMES).replace("\n", " ")

    async def update_text(self, since: int) -> str:
        call = await self.box.wait_for_call("chat.update", since=since)
        return str(call.args.get("text"))

    async def reply_text(self, since: int, user: str) -> str:
        channel = self.box.state.dm_channel(user)
        call = await self.box.wait_for_call(
            "chat.postMessage", since=since, where=lambda c: c.args.get("channel") == channel
        )
        return str(call.args.get("text"))

    # --- scenes ---------------------------------------------------------------------
    async def snooze(self, rep: str) -> None:
        prompt = await self.sim.last_dm(rep, Step.REP_PROMPT)
        since = self.box.mark()
        await self.driver.click(
            rep, Action.SNOOZE, button_value(prompt, Action.SNOOZE), message=prompt
        )
        self.show.did(self.sim.now, rep, 'taps "Remind me later"', await self.update_text(since))

    async def reply(self, rep: str, text: str, in_thread_of: Step | None = None) -> None:
        thread = (await self.sim.last_dm(rep, in_thread_of))["ts"] if in_thread_of else None
        since = self.box.mark()
        await self.driver.dm(rep, text, thread_ts=thread)
        where = "in the thread" if thread else "in the DM"
        self.show.did(
            self.sim.now, rep, f"replies {where}: “{text}”", await self.reply_text(since, rep)
        )

    async def chat(self, rep: str, text: str) -> None:
        """A rep writes something that isn't deals: at most one short hint a day."""
        since = self.box.mark()
        await self.driver.dm(rep, text)
        await self.sim.settle()
        channel = self.box.state.dm_channel(rep)
        answers = [
            c
            for c in self.box.state.calls[since:]
            if c.method == "chat.postMessage" and c.args.get("channel") == channel
        ]
        said = str(answers[0].args.get("text")) if answers else "(no answer: one hint a day)"
        self.show.did(self.sim.now, rep, f"writes in the DM: “{text}”", said)

    async def reply_and_tap(self, rep: str, text: str, action: str, label: str) -> None:
        """A rep writes a link while this week's drill is open; coach asks; the rep answers."""
        since = self.box.mark()
        await self.driver.dm(rep, text)
        channel = self.box.state.dm_channel(rep)
        asked = await self.box.wait_for_call(
            "chat.postMessage", since=since, where=lambda c: c.args.get("channel") == channel
        )
        self.show.did(self.sim.now, rep, f"writes in the DM: “{text}”", str(asked.args["text"]))
        await self.sim.settle()  # coach has recorded its answer (a person reads before tapping)
        answer = asked.response["message"]
        since = self.box.mark()
        await self.driver.click(rep, action, button_value(answer, action), message=answer)
        self.show.did(self.sim.now, rep, f'taps "{label}"', await self.update_text(since))

    async def share_in_modal(self, rep: str, step: Step, deals: dict[str, Any]) -> None:
        prompt = await self.sim.last_dm(rep, step)
        view = await self.driver.open_modal(rep, prompt, Action.OPEN_DEALS)
        if "deal1_clip_url" in deals and rep == ANA:
            wrong = {**deals, "deal1_clip_url": typed("gong call with Acme")}
            errors = (await self.driver.submit(rep, view, wrong)).json()["errors"]
            self.show.did(
                self.sim.now,
                rep,
                'opens "Share my deals", pastes a name instead of a link',
                f"inline error, nothing stored: {errors['deal1_clip_url']}",
            )
        since = self.box.mark()
        await self.driver.submit(rep, view, deals)
        self.show.did(self.sim.now, rep, "submits the deals modal", await self.update_text(since))

    async def score(self, manager: str, rep: str, score: int) -> None:
        review = await self.sim.last_dm(manager, Step.MANAGER_REVIEW)
        action = f"{Action.SCORE}_{score}"
        since = len(self.box.state.responses)
        await self.driver.click(
            manager, action, button_value(review, action, f"score:{rep}"), message=review
        )
        answer = await self.box.wait_for_response(since=since)
        self.show.did(self.sim.now, manager, f"scores {NAMES[rep]} {score}/5", answer["text"])
        if score >= 4:
            offer = {"ts": "1.0", **answer}
            view = await self.driver.open_modal(manager, offer, Action.NEXT_FOCUS)
            focus = next(b for b in view["blocks"] if b.get("block_id") == "focus_skill")
            suggested = focus["element"].get("initial_value")
            self.show.did(
                self.sim.now,
                manager,
                'taps "Pick next focus"',
                f"this week's diagnosis opens with “{suggested}” suggested; she'll finish it "
                "on Tuesday with the new clips",
            )

    async def diagnose(self, manager: str, rep: str, values: dict[str, Any]) -> None:
        prep = await self.sim.last_dm(manager, Step.MANAGER_PREP)
        value = button_value(prep, Action.DIAGNOSE, f"prep:{rep}")
        view = await self.driver.open_modal(manager, prep, Action.DIAGNOSE, value)
        answer = await self.driver.submit(manager, view, values)
        self.show.did(self.sim.now, manager, f"diagnoses {NAMES[rep]}", self.modal_text(answer))

    async def log_notes(self, manager: str, rep: str, step: Step, values: dict[str, Any]) -> None:
        message = await self.sim.last_dm(manager, step)
        prefix = "agenda:" if step is Step.ONE_ON_ONE else "nudge:"
        value = button_value(message, Action.LOG_NOTES, f"{prefix}{rep}")
        view = await self.driver.open_modal(manager, message, Action.LOG_NOTES, value)
        answer = await self.driver.submit(manager, view, values)
        self.show.did(
            self.sim.now, manager, f"logs 1:1 notes for {NAMES[rep]}", self.modal_text(answer)
        )

    async def not_held(self, manager: str, rep: str) -> None:
        """The manager taps "Didn't happen" on the notes nudge and confirms."""
        nudge = await self.sim.last_dm(manager, Step.NOTES_NUDGE)
        value = button_value(nudge, Action.NOT_HELD, f"nudge:{rep}")
        view = await self.driver.open_modal(manager, nudge, Action.NOT_HELD, value)
        answer = await self.driver.submit(manager, view, {})
        self.show.did(
            self.sim.now,
            manager,
            f"taps \"Didn't happen\" for {NAMES[rep]}'s 1:1",
            self.modal_text(answer),
        )

    async def drill_done(self, rep: str, text: str) -> None:
        answer = await self.driver.command(rep, "/drill", text)
        self.show.did(self.sim.now, rep, f"types `/drill {text}`", answer.json()["text"])

    async def drill_done_button(self, rep: str, link: str) -> None:
        check = await self.sim.last_dm(rep, Step.DRILL_CHECK)
        view = await self.driver.open_modal(rep, check, Action.DRILL_DONE)
        answer = await self.driver.submit(rep, view, {"link": _url(link)})
        self.show.did(
            self.sim.now,
            rep,
            'taps "Mark drill done" and pastes the recording',
            self.modal_text(answer),
        )


def grow(commitment: str, drill: str, *, private: str = "") -> dict[str, Any]:
    return {
        "goal": typed("Get the CFO to agree to a business-case review"),
        "reality": typed("Discounted at the first push on price"),
        "options": typed(
            "Reframe to cost of delay\nAsk what's behind the number\nBring the champion"
        ),
        "commitment": typed(commitment),
        "drill_choice": chosen(drill),
        "practice_reps": typed("3"),
        "accountability": typed("Two late-stage deals hold price"),
        "private_notes": typed(private),
    }


async def play_week(week: DemoWeek, monday: datetime) -> None:
    day = [monday + timedelta(days=n) for n in range(7)]
    h = timedelta(hours=1)
    show = week.show

    show.step("Monday: deals with the clip of the key moment")
    await week.scene(day[0] + 8.5 * h, lambda: week.snooze(CHEN))
    await week.scene(
        day[0] + 10 * h,
        lambda: week.reply(
            DEV,
            "Zenith Bank (negotiation) https://us-67.gong.io/call?id=88 14:20 - procurement "
            "asked for 20% off",
            in_thread_of=Step.REP_REMINDER,
        ),
    )
    chen_deals = {
        "deal1_name": typed("Initech"),
        "deal1_stage": typed("Proposal"),
        "deal1_clip_url": typed("https://chorus.ai/meeting/4411"),
        "deal1_moment": typed("03:10"),
        "deal1_happened": typed("CFO said we're 30% over budget; I offered a discount"),
        "deal2_name": typed("Hooli"),
        "deal2_clip_url": typed("https://app.avoma.com/meetings/77"),
    }
    await week.scene(
        day[0] + 11 * h, lambda: week.share_in_modal(CHEN, Step.PROMPT_AGAIN, chen_deals)
    )
    await week.scene(
        day[0] + 14.5 * h,
        lambda: week.reply(
            BEN,
            "1. Globex (discovery) https://acme.zoom.us/rec/2 4:05 - champion went quiet\n"
            "2. Umbrella (proposal) https://app.gong.io/call?id=31 22:10 - no next step agreed",
        ),
    )
    await week.scene(day[0] + 17.5 * h, lambda: week.score(MAYA, ANA, 4))
    ana_deals = {
        "deal1_name": typed("Acme"),
        "deal1_stage": typed("Negotiation"),
        "deal1_clip_url": typed("https://app.gong.io/call?id=1"),
        "deal1_moment": typed("12:30"),
        "deal1_happened": typed("CFO pushed back on price"),
    }
    await week.scene(day[0] + 18 * h, lambda: week.share_in_modal(ANA, Step.REP_PROMPT, ana_deals))

    show.step("Tuesday: one gap per rep")

    async def omar_diagnoses() -> None:
        await week.diagnose(
            OMAR,
            CHEN,
            {
                **_yes_no("no"),
                "focus_skill": typed("Objection handling"),
                "evidence_url": typed("https://chorus.ai/meeting/4411"),
                "evidence_moment": typed("03:10"),
                "did": typed("Offered a discount at the first push"),
                "good_looks_like": typed("Ask what's behind the number, then reframe to value"),
            },
        )
        await week.diagnose(
            OMAR,
            DEV,
            {
                **_yes_no("yes", "no"),
                "focus_skill": typed("Discovery"),
                "evidence_url": typed("https://us-67.gong.io/call?id=88"),
                "evidence_moment": typed("14:20"),
            },
        )
        await week.diagnose(
            OMAR,
            EVE,
            {
                **_yes_no("yes", "yes", "yes", "yes"),
                "focus_skill": typed("Closing"),
                "evidence_url": typed("https://app.gong.io/call?id=501"),
            },
        )

    async def maya_diagnoses() -> None:
        await week.diagnose(
            MAYA,
            ANA,
            {
                **_yes_no("yes", "yes", "no"),
                "focus_skill": typed("Objection handling"),
                "evidence_url": typed("https://app.gong.io/call?id=1"),
                "evidence_moment": typed("12:30"),
            },
        )
        await week.diagnose(
            MAYA,
            BEN,
            {
                **_yes_no("no"),
                "focus_skill": typed("Multi-threading"),
                "evidence_url": typed("https://acme.zoom.us/rec/2"),
                "evidence_moment": typed("4:05"),
            },
        )

    await week.scene(day[1] + 8.5 * h, omar_diagnoses)
    await week.scene(day[1] + 17.5 * h, maya_diagnoses)

    show.step("Wednesday: the 1:1s and their notes")

    async def omar_logs() -> None:
        await week.log_notes(
            OMAR,
            CHEN,
            Step.ONE_ON_ONE,
            grow(
                "Reframe price to cost of delay on my next three calls",
                "objection_reframe",
                private="Wants to move to enterprise next year",
            ),
        )
        await week.log_notes(
            OMAR,
            DEV,
            Step.ONE_ON_ONE,
            grow(
                "Learn the procurement process and map it for Zenith",
                "multi_threading",
            ),
        )

    async def omar_logs_eve() -> None:
        await week.not_held(OMAR, EVE)

    async def maya_logs() -> None:
        await week.log_notes(
            MAYA,
            ANA,
            Step.ONE_ON_ONE,
            grow(
                "Name the cost of delay before any discount talk",
                "objection_reframe",
                private="Ready for a senior role soon",
            ),
        )
        await week.log_notes(
            MAYA,
            BEN,
            Step.ONE_ON_ONE,
            grow(
                "Get a second stakeholder on the Globex call",
                "multi_threading",
            ),
        )

    await week.scene(day[2] + 10 * h, omar_logs)
    await week.scene(day[2] + 16.5 * h, omar_logs_eve)
    await week.scene(day[2] + 19 * h, maya_logs)

    show.step("Thursday and Friday: the drill")
    await week.scene(
        day[3] + 9 * h,
        lambda: week.reply_and_tap(
            CHEN,
            "did my drill, here it is https://chorus.ai/meeting/4420",
            Action.REPLY_AS_DRILL,
            "Record as my drill",
        ),
    )
    await week.scene(day[3] + 15 * h, lambda: week.chat(BEN, "thanks, see you Wednesday!"))
    await week.scene(day[3] + 16 * h, lambda: week.chat(BEN, "👍"))
    await week.scene(
        day[3] + 18 * h, lambda: week.drill_done(ANA, "done https://app.gong.io/call?id=9")
    )
    await week.scene(
        day[4] + 7 * h, lambda: week.drill_done_button(DEV, "https://us-67.gong.io/call?id=95")
    )
    await week.until(day[5] + 2 * h)


async def show_guard_rails(week: DemoWeek, cycle: str) -> None:
    show = week.show
    show.step("Guard rails")
    card = await week.sim.last_dm(ANA, Step.DRILL_CARD)
    own = await week.driver.open_modal(ANA, card, Action.VIEW_NOTES)
    show.line("Ana taps “My 1:1 notes” on her drill card and sees (no private notes):")
    show.block(own["blocks"])
    full = await week.driver.open_modal(MAYA, card, Action.VIEW_NOTES)
    has_private = "senior role" in str(full["blocks"])
    show.line(
        f"Maya opening the same notes also sees her private notes: {has_private} "
        "(not printed here)."
    )
    since = len(week.box.state.responses)
    await week.driver.click(
        BEN, Action.VIEW_NOTES, RepRef(ANA, cycle).dump(), message={"ts": "1.0", "blocks": []}
    )
    refusal = (await week.box.wait_for_response(since=since))["text"]
    show.line(f"Ben forges a click on Ana's “My 1:1 notes” button → only he sees: {refusal}")
    answer = await week.driver.command(BEN, "/drill", "done not-a-link")
    show.line(f"Ben types `/drill done not-a-link` → {answer.json()['text']}")
    forged = await week.driver.command(BEN, "/drill", "status", secret="not-the-secret")
    show.line(f"A request signed with the wrong secret → HTTP {forged.status}; nothing changed.")


async def show_summary(week: DemoWeek, cycle: str) -> None:
    show = week.show
    show.step("What the week recorded")
    async with week.sim.deps.db() as session:
        store = Store(session)
        ids = {p.id: p.slack_user_id for p in await store.people((await store.workspaces())[0].id)}
        submissions = await store.submissions(ids, cycle)
        diagnoses = await store.diagnoses(ids, cycle)
        notes = await store.one_on_ones(ids, cycle)
        drills = await store.drill_reports(ids, cycle)
        sent = await session.scalar(
            select(func.count()).where(Delivery.status == DeliveryStatus.SENT)
        )
        totals = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (Submission, Diagnosis, OneOnOne, DrillReport)
        }
    for person_id, rep in sorted(ids.items(), key=lambda kv: NAMES[kv[1]]):
        if rep not in (ANA, BEN, CHEN, DEV, EVE):
            continue
        deals = submissions.get(person_id)
        diagnosis = diagnoses.get(person_id)
        note = notes.get(person_id)
        parts = [
            f"{plural(len(deals.deals), 'deal')} by {deals.source}" if deals else "no deals",
            f"{diagnosis.gap} gap, focus {diagnosis.focus_skill}" if diagnosis else "no diagnosis",
            ("1:1 held" if note.held else "1:1 not held") if note else "no 1:1 notes",
            f"drill recorded ({len(drills[person_id])})"
            if drills.get(person_id)
            else "no drill recording",
        ]
        show.line(f"• {NAMES[rep]}: " + "; ".join(parts))
    show.line(f"Rows in the database, this week and last: {totals}")
    twice = week.sim.posted_twice()
    calls = week.box.state.calls
    duplicates = "no duplicates" if not twice else f"{len(twice)} DUPLICATED"
    show.line(
        f"\nDone: {sent} scheduled DMs reached Slack ({duplicates}); the bot made {len(calls)} "
        f"Slack Web API calls, all accepted by the sandbox: {all(c.ok for c in calls)}."
    )


async def time_zones(deps: Deps) -> dict[str, str]:
    """Each person's time zone, as the import read it from Slack."""
    async with deps.reads() as session:
        rows = await session.execute(select(Person.slack_user_id, Person.tz))
    return {user: tz or "?" for user, tz in rows.all()}


async def run_demo(out: TextIO, *, week_of: date | None = None) -> None:
    """Print one week of coach for the sample team (the current week unless `week_of`)."""
    today = week_of or system_clock().date()
    cycle = calendar.current_cycle(
        datetime.combine(today, datetime.min.time(), UTC), ZoneInfo("UTC")
    )
    monday = datetime.combine(calendar.monday_of(cycle), datetime.min.time(), UTC)
    sandbox = SlackSandbox(team_name="Acme Sales")
    await sandbox.start()
    for person in SAMPLE_TEAM:
        sandbox.add_user(person.slack_user_id, person.name, person.tz, email=person.email)
    show = Transcript(out)
    clock = FrozenClock(monday)
    with tempfile.TemporaryDirectory(prefix="coach-demo-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
            slack_bot_token=sandbox.bot_token,
            slack_signing_secret=DEMO_SIGNING_SECRET,
            slack_app_token=None,
            slack_client_id=None,
            slack_api_url=sandbox.api_url,
            coach_scheduler="off",
            coach_send_rate_per_minute=100_000,  # the demo's sandbox sets no rate limit
        )
        deps = Deps.build(settings, clock)
        bot = driver = None
        try:
            show.step(f"Set-up: week {cycle}")
            await migrations.upgrade(deps.engine)
            show.line(f"Temporary SQLite database; Slack sandbox at {sandbox.base_url}.")
            show.line("The roster file has no time zones, and names Eve by her email only.")
            client = make_web_client(settings, sandbox.bot_token)
            imported = await import_roster(deps, sample_roster_csv(), sandbox.state.team_id, client)
            show.line("`coach roster import`: " + imported.describe().replace("\n", " "))
            zones = await time_zones(deps)
            for p in SAMPLE_TEAM:
                boss = f", reports to {NAMES[p.manager]}" if p.manager else ""
                show.line(f"  {p.name}: {p.role} in {zones[p.slack_user_id]}{boss}")
            previous = calendar.previous_cycle(cycle)
            for rep, manager, recording in (
                (ANA, MAYA, "https://app.gong.io/call?id=7"),
                (CHEN, OMAR, None),
            ):
                await record_past_week(
                    deps,
                    PastWeek(
                        sandbox.state.team_id,
                        manager,
                        rep,
                        previous,
                        focus="Discovery",
                        drill="close_next_step",
                        commitment="Ask for a date on every call",
                        evidence="https://app.gong.io/call?id=6",
                        recording=recording,
                    ),
                )
            show.line(
                f"Last week ({previous}): Ana and Chen were coached on Discovery with the "
                "“Close the next step” drill; Ana recorded hers, Chen didn't."
            )
            bot = await start_bot(deps)
            driver = SlackDriver(sandbox, bot.url, DEMO_SIGNING_SECRET)
            show.line(f"Bot serving on {bot.url}; the outbox ticks every 30 simulated minutes.")
            outbox = Outbox(deps, OutboxClients(deps))
            sim = SimulatedWeek(deps, clock, sandbox, driver, outbox, bot.settle)
            week = DemoWeek(sim, show)
            await play_week(week, monday)
            await show_guard_rails(week, cycle)
            await show_summary(week, cycle)
        finally:
            if driver is not None:
                await driver.close()
            if bot is not None:
                await bot.stop()
            await deps.close()
            await sandbox.stop()
