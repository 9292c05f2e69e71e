"""The planner's pure parts: which windows are open at all, and who is due in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from app.db.ledger import Ledger, Planned
from app.db.models import Delivery, Person, ScheduleStep
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.services.week_plan import open_windows
from tests.conftest import seed_org
from tests.statements import recorded_statements

SATURDAY_NOON = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
THURSDAY_1400_BERLIN = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def team_one_on_one(weekday: int, at: time) -> ScheduleStep:
    return ScheduleStep(
        workspace_id=1, manager_id=7, step=Step.ONE_ON_ONE, weekday=weekday, local_time=at
    )


def test_nothing_is_open_on_a_weekend() -> None:
    assert open_windows([(1, "Europe/Berlin"), (1, None)], [], "UTC", SATURDAY_NOON) == set()


def test_a_window_opens_at_the_local_time_of_each_zone() -> None:
    monday_9_berlin = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    found = open_windows(
        [(1, "Europe/Berlin"), (1, "America/New_York")], [], "UTC", monday_9_berlin
    )
    assert {(zone, step) for _, zone, step, _, _ in found} == {
        ("Europe/Berlin", Step.REP_PROMPT),
        ("Europe/Berlin", Step.MANAGER_REVIEW),
    }


def test_a_team_schedule_opens_its_own_window() -> None:
    zones = [(1, "Europe/Berlin")]
    assert open_windows(zones, [], "UTC", THURSDAY_1400_BERLIN) == set()
    moved = open_windows(zones, [team_one_on_one(3, time(14, 0))], "UTC", THURSDAY_1400_BERLIN)
    assert {step for _, _, step, _, _ in moved} == {Step.ONE_ON_ONE}
    # another workspace's team schedule opens nothing here
    other = ScheduleStep(
        workspace_id=2, manager_id=9, step=Step.ONE_ON_ONE, weekday=3, local_time=time(14, 0)
    )
    assert open_windows(zones, [other], "UTC", THURSDAY_1400_BERLIN) == set()


async def test_planning_inserts_only_new_rows_in_one_statement(deps: Deps) -> None:
    await seed_org(deps)
    async with deps.db() as session:
        people = (await session.scalars(select(Person.id).order_by(Person.id))).all()
        workspace_id = await session.scalar(select(Person.workspace_id))
    assert workspace_id is not None and len(people) >= 3
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    until = at + timedelta(hours=4)

    def rows(ids: Sequence[int], status: DeliveryStatus = DeliveryStatus.PENDING) -> list[Planned]:
        return [
            Planned(workspace_id, i, Step.REP_PROMPT, "2026-W48", at, until, status) for i in ids
        ]

    async with deps.db.begin() as session:
        assert await Ledger(session).plan(rows(people[:2]), at) == 2
    with recorded_statements(deps.engine) as statements:
        async with deps.db.begin() as session:
            # two already there (even with another status), one new: one statement, one row
            again = rows(people[:2], DeliveryStatus.SKIPPED) + rows(people[2:3])
            assert await Ledger(session).plan(again, at + timedelta(minutes=1)) == 1
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    async with deps.db() as session:
        planned = (await session.scalars(select(Delivery).order_by(Delivery.person_id))).all()
    assert [(d.person_id, d.status, d.attempts, d.created_at) for d in planned] == [
        (people[0], DeliveryStatus.PENDING, 0, at),
        (people[1], DeliveryStatus.PENDING, 0, at),
        (people[2], DeliveryStatus.PENDING, 0, at + timedelta(minutes=1)),
    ]
