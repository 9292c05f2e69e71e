"""A week of coach on a hand-moved clock: the outbox ticks, Slack (the sandbox) keeps the DMs.

Used by `coach demo` and by the end-to-end tests: both drive the real bot and the real
outbox, and read what each person received from the sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from app.clock import FrozenClock
from app.db.ledger import Ledger
from app.db.models import Delivery
from app.db.store import Store
from app.delivery.tick import Outbox, TickReport
from app.deps import Deps
from app.rules import calendar
from app.rules.evidence import Deal
from app.rules.rubric import DEFAULT_RUBRIC, matching_name
from app.rules.types import Step
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.services import deals, diagnoses, drill_reports, one_on_ones, people
from app.slack.metadata import delivery_id_in

HALF_HOUR = timedelta(minutes=30)


@dataclass(frozen=True)
class Received:
    """One scheduled DM as the person got it."""

    user: str
    step: Step
    message: dict[str, Any]


@dataclass
class SimulatedWeek:
    deps: Deps
    clock: FrozenClock
    sandbox: SlackSandbox
    driver: SlackDriver
    outbox: Outbox
    settle: Callable[[], Awaitable[None]]  # waits until the bot has finished reacting
    _steps: dict[int, Step] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.clock.now

    async def tick(self, at: datetime) -> TickReport:
        await self.settle()
        self.clock.set(at)
        report = await self.outbox.tick(at)
        await self.settle()
        return report

    async def run_until(
        self,
        end: datetime,
        *,
        every: timedelta = HALF_HOUR,
        after_tick: Callable[[list[Received]], Awaitable[None]] | None = None,
    ) -> None:
        """Tick every `every` up to `end`; `after_tick` sees the DMs each tick sent."""
        while self.clock.now + every <= end:
            since = self.sandbox.mark()
            await self.tick(self.clock.now + every)
            if after_tick is not None:
                await after_tick(await self.received_since(since))

    async def step_of(self, delivery_id: int) -> Step:
        if delivery_id not in self._steps:
            async with self.deps.db() as session:
                rows = (await session.execute(select(Delivery.id, Delivery.kind))).all()
            self._steps = {row.id: Step(row.kind) for row in rows}
        return self._steps[delivery_id]

    async def _received(self, user: str, message: dict[str, Any]) -> Received | None:
        delivery = delivery_id_in(message.get("metadata"))
        if delivery is None:
            return None
        return Received(user, await self.step_of(delivery), message)

    async def received_since(self, since: int) -> list[Received]:
        """Scheduled DMs the outbox posted after sandbox mark `since`, in order."""
        found = []
        for call in self.sandbox.state.calls[since:]:
            if call.method != "chat.postMessage" or not call.ok:
                continue
            user = self.sandbox.state.user_of_dm(call.response["channel"])
            item = await self._received(user, call.response["message"])
            if item is not None:
                found.append(item)
        return found

    def posted_twice(self) -> list[int]:
        """Delivery ids that reached Slack more than once (each must arrive exactly once)."""
        return [delivery for delivery, count in self.sandbox.deliveries().items() if count > 1]

    async def last_dm(self, user: str, step: Step) -> dict[str, Any]:
        """The newest scheduled DM of this step that `user` received."""
        for message in reversed(self.sandbox.messages_to(user)):
            item = await self._received(user, message.as_slack())
            if item is not None and item.step is step:
                return item.message
        raise LookupError(f"{user} has no {step.value} message")


@dataclass(frozen=True)
class PastWeek:
    """A rep's earlier cycle, recorded through the real use cases (diagnosis, GROW, drill)."""

    team_id: str
    manager: str
    rep: str
    cycle: str
    focus: str  # a built-in competency's name: "Discovery"
    drill: str  # a drill key from the library
    commitment: str  # the skill commitment, in the rep's words
    evidence: str  # the clip the diagnosis rests on
    recording: str | None = None  # the drill recording's link, if the rep did it
    practice_reps: str = "1"  # recordings committed to (one recording does it)
    private_notes: str = ""
    deals: tuple[str, ...] = ()  # names of the deals the rep shared that Monday
    level: str = "2"  # the rep's rubric level on the focus that week
    number: str = "the Acme deal at proposal by Friday"  # the number the commitment is held to
    follow_up_check: str = "a next-step date asked for on the next 5 calls"


@asynccontextmanager
async def acting_as(
    deps: Deps, team_id: str, slack_user_id: str, at: datetime
) -> AsyncIterator[tuple[Store, people.Actor]]:
    """One transaction on behalf of someone, at a given moment."""
    async with deps.db.begin() as session:
        store = Store(session)
        yield store, await people.actor(store, team_id, slack_user_id)


async def record_past_week(deps: Deps, week: PastWeek) -> None:
    """Tuesday diagnosis, Wednesday notes and (maybe) a Thursday recording of `week.cycle`,
    each at its own moment, as if the bot had been running."""
    monday = datetime.combine(calendar.monday_of(week.cycle), time(12), UTC)
    tz = deps.settings.coach_default_tz
    tuesday, wednesday, thursday = (monday + timedelta(days=n) for n in (1, 2, 3))
    if week.deals:
        async with acting_as(deps, week.team_id, week.rep, monday) as (store, rep):
            typed = [Deal(name, week.evidence) for name in week.deals]
            await deals.record_deals(store, rep, week.rep, week.cycle, typed, "modal", monday, tz)
    async with acting_as(deps, week.team_id, week.manager, tuesday) as (store, manager):
        competency = matching_name(DEFAULT_RUBRIC, week.focus)
        if competency is None:
            raise ValueError(f"{week.focus!r} is not a built-in competency")
        form = diagnoses.DiagnosisInput(
            answers={"can_do": False},
            gap_override=None,
            focus=competency.key,
            evidence_url=week.evidence,
            levels={competency.key: week.level},
        )
        await diagnoses.diagnose(store, manager, week.rep, week.cycle, form, tuesday)
    async with acting_as(deps, week.team_id, week.manager, wednesday) as (store, manager):
        grow = one_on_ones.GrowInput(
            goal="Win the next step in a live deal",
            reality="Lost control at the key moment",
            options="Ask a better question\nReframe\nBring a peer",
            commitment=week.commitment,
            drill_choice=week.drill,
            practice_reps=week.practice_reps,
            accountability=week.number,
            follow_up_on=(wednesday + timedelta(days=7)).date(),
            follow_up_check=week.follow_up_check,
            private_notes=week.private_notes,
        )
        await one_on_ones.log_one_on_one(
            store, Ledger(store.session), manager, week.rep, week.cycle, grow, wednesday, tz
        )
    if week.recording is not None:
        async with acting_as(deps, week.team_id, week.rep, thursday) as (store, rep):
            await drill_reports.record_drill(store, rep, week.recording, "", thursday, tz)
