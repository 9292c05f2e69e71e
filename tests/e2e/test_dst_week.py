"""Weeks that cross a daylight-saving change, end to end: every step at its local hour.

The US changes clocks a week before or after Europe, so for a week New York is 5 hours from
Berlin instead of 6. Maya's team also moved its Friday heads-up to Sunday night, into the
hour the change skips (spring: it fires at the next valid minute) or repeats (autumn: once).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.db.models import Delivery, Person
from app.demo.simulation import PastWeek, record_past_week
from app.rules.types import DeliveryStatus, Step
from app.sandbox.server import SlackSandbox
from tests.support.factories import TEAM_ID
from tests.support.week import TEAM_CSV, TZ, Week, local, open_week

REPS = ("U0REPLA", "U0REPNY", "U0REPBER", "U0REPKOL")


@dataclass(frozen=True)
class Change:
    name: str
    before: str  # the cycle before the change (the Sunday of the change ends it)
    after: str
    start: datetime  # Friday of `before`, 10:00 UTC: before New York's Friday noon
    end: datetime  # Saturday of `after`
    heads_up: str  # Maya's team's heads-up, as typed in /coach schedule
    heads_up_local: str  # when it fires, local
    heads_up_utc: str
    ny_prompt_utc: str  # New York's Monday 09:00 after the change, in UTC


SPRING = Change(
    "spring forward",
    "2027-W10",
    "2027-W11",
    datetime(2027, 3, 12, 10, tzinfo=UTC),
    datetime(2027, 3, 20, 8, tzinfo=UTC),
    "sun 02:30",
    "Sun 03:00",  # 02:30 doesn't exist on 14 March 2027 in Los Angeles
    "Sun 10:00",
    "Mon 13:00",  # EDT
)
AUTUMN = Change(
    "fall back",
    "2027-W44",
    "2027-W45",
    datetime(2027, 11, 5, 10, tzinfo=UTC),
    datetime(2027, 11, 13, 8, tzinfo=UTC),
    "sun 01:30",
    "Sun 01:30",  # happens twice on 7 November 2027 in Los Angeles: the first one, once
    "Sun 08:30",
    "Mon 14:00",  # EST
)


@pytest.fixture(params=[SPRING, AUTUMN], ids=lambda c: c.name)
async def crossing(
    request: pytest.FixtureRequest, database_url: str, sandbox: SlackSandbox
) -> AsyncIterator[tuple[Week, Change]]:
    change: Change = request.param
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, change.start) as week:
        past = PastWeek(
            TEAM_ID,
            "U0MGRA",
            "U0REPNY",
            change.before,
            focus="Discovery",
            drill="objection_reframe",
            commitment="Reframe price on every call",
            evidence="https://app.gong.io/call?id=6",
        )
        await record_past_week(week.deps, past)
        answer = await week.driver.command(
            "U0MGRA", "/coach", f"schedule heads-up {change.heads_up}"
        )
        assert answer.json()["text"].startswith("Moved the heads-up")
        yield week, change


async def sent_with_cycle(week: Week) -> list[tuple[str, Step, str, datetime]]:
    async with week.deps.db() as session:
        rows = (
            await session.execute(
                select(Person.slack_user_id, Delivery.kind, Delivery.cycle_week, Delivery.sent_at)
                .join(Person, Person.id == Delivery.person_id)
                .where(Delivery.status == DeliveryStatus.SENT)
            )
        ).all()
    return [(user, Step(kind), cycle, at) for user, kind, cycle, at in rows]


async def test_every_step_keeps_its_local_hour_across_the_change(
    crossing: tuple[Week, Change],
) -> None:
    week, change = crossing
    await week.run_until(change.end)

    deliveries = await sent_with_cycle(week)
    assert week.posted_twice() == []
    when = {(user, step, cycle): local(user, at) for user, step, cycle, at in deliveries}
    utc = {
        (user, step, cycle): f"{at.astimezone(UTC):%a %H:%M}"
        for user, step, cycle, at in deliveries
    }

    # Before the change: New York missed last week's drill; Maya hears on Sunday night.
    assert when[("U0REPNY", Step.DRILL_CHECK, change.before)] == "Fri 12:00"
    assert when[("U0MGRA", Step.MANAGER_HEADS_UP, change.before)] == change.heads_up_local
    assert utc[("U0MGRA", Step.MANAGER_HEADS_UP, change.before)] == change.heads_up_utc

    # After it: the same local hours, whichever side of the change each city is on.
    for rep in REPS:
        assert when[(rep, Step.REP_PROMPT, change.after)] == "Mon 09:00", rep
        assert when[(rep, Step.REP_REMINDER, change.after)] == "Mon 15:00", rep
        assert when[(rep, Step.ONE_ON_ONE, change.after)] == "Wed 09:00", rep
    for manager in ("U0MGRA", "U0MGRB"):
        assert when[(manager, Step.MANAGER_PREP, change.after)] == "Tue 09:00"
        assert when[(manager, Step.ONE_ON_ONE, change.after)] == "Wed 09:00"
        assert when[(manager, Step.NOTES_NUDGE, change.after)] == "Wed 17:00"
    assert utc[("U0REPNY", Step.REP_PROMPT, change.after)] == change.ny_prompt_utc
    assert utc[("U0REPBER", Step.REP_PROMPT, change.after)] == "Mon 08:00"
