"""What a tick costs the database: a fixed handful of statements when nothing is due, and
planning that does not grow with the number of people (no N+1). Statements are counted
without transaction control (SQLite's BEGIN IMMEDIATE); timings live in bench/tick_cost.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import system_clock
from app.db.models import Delivery, Person
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.types import Role, Step
from app.sandbox.server import SlackSandbox
from app.services.week_plan import REREAD_EVERY
from tests.support.factories import make_settings
from tests.support.fanout import MONDAY_0900_BERLIN, seed_big_org
from tests.support.outboxes import Outboxes
from tests.support.statements import recorded_statements

NOTHING_DUE = MONDAY_0900_BERLIN - timedelta(hours=6)  # 03:00 in Berlin


def queries(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]


MakeOrg = Callable[[int], Awaitable[Outbox]]


@pytest.fixture
async def make_org(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> AsyncIterator[MakeOrg]:
    """An org of n reps (replacing the last one made), and the outbox that sends for it."""
    built: list[Deps] = []

    async def make(reps: int) -> Outbox:
        deps = Deps.build(make_settings(database_url, sandbox), system_clock)
        built.append(deps)
        await seed_big_org(deps, sandbox, reps, managers=max(1, reps // 10))
        return outboxes(deps, "cost")

    yield make
    for deps in built:
        await deps.close()


def reads_the_shape(statements: list[str]) -> bool:
    """Whether the planner read the roster's shape (its zones query counts people)."""
    return any("AS people" in s for s in statements)


def looks_at_the_crm(statements: list[str]) -> bool:
    """Whether the CRM step read the connection rows themselves (not only counted them)."""
    return any("crm_connection.secret" in s for s in statements)


def looks_at_the_recorder(statements: list[str]) -> bool:
    return any("recorder_connection.access_key" in s for s in statements)


async def test_a_tick_with_nothing_due_is_at_most_five_statements(make_org: MakeOrg) -> None:
    """The profiles due, the setup stamp (with whether any workspace has a call recorder or
    a CRM), the workspaces with rows due, and expiry: the roster's shape was read by the
    process's first tick and stays as long as the stamp does."""
    outbox = await make_org(60)
    await outbox.tick(NOTHING_DUE - timedelta(minutes=1))  # the process's first tick
    with recorded_statements(*outbox.deps.engines) as statements:
        report = await outbox.tick(NOTHING_DUE)
    assert report.planned == 0 and not report.outcomes
    assert len(queries(statements)) <= 5, statements  # 4
    assert not reads_the_shape(statements)
    assert not looks_at_the_crm(statements) and not looks_at_the_recorder(statements)


async def test_the_first_tick_of_a_process_is_at_most_seven_statements(
    make_org: MakeOrg,
) -> None:
    """The idle tick's four, and the roster's shape: zones, overrides, holiday calendars.
    Neither the recorder nor the CRM is looked at: no workspace has one."""
    outbox = await make_org(60)
    with recorded_statements(*outbox.deps.engines) as statements:
        report = await outbox.tick(NOTHING_DUE)
    assert report.planned == 0 and not report.outcomes
    assert len(queries(statements)) <= 7, statements
    assert not looks_at_the_crm(statements) and not looks_at_the_recorder(statements)


async def test_planning_costs_the_same_statements_for_ten_or_a_hundred_reps(
    make_org: MakeOrg,
) -> None:
    counts = {}
    for reps in (10, 100):
        outbox = await make_org(reps)
        with recorded_statements(*outbox.deps.engines) as statements:
            planned = await outbox.plan(MONDAY_0900_BERLIN)
        assert planned >= reps
        counts[reps] = len(queries(statements))
    assert counts[10] == counts[100], counts


def reads_the_roster(statements: list[str]) -> bool:
    """Whether the planner loaded people one row each (its roster query names the pause)."""
    return any("paused_until" in s and "person" in s.lower() for s in statements)


async def test_with_no_window_open_the_roster_is_not_read(make_org: MakeOrg) -> None:
    outbox = await make_org(60)
    with recorded_statements(*outbox.deps.engines) as statements:
        assert await outbox.plan(NOTHING_DUE) == 0
    assert not reads_the_roster(statements)
    assert len(queries(statements)) == 4, statements  # stamp, zones, overrides, calendars
    with recorded_statements(*outbox.deps.engines) as statements:
        assert await outbox.plan(NOTHING_DUE + timedelta(minutes=1)) == 0
    assert len(queries(statements)) == 1, statements  # the stamp: it has not moved


async def test_the_same_windows_and_roster_are_not_planned_twice(make_org: MakeOrg) -> None:
    outbox = await make_org(30)
    assert await outbox.plan(MONDAY_0900_BERLIN) >= 30
    with recorded_statements(*outbox.deps.engines) as statements:
        assert await outbox.plan(MONDAY_0900_BERLIN + timedelta(minutes=1)) == 0
    assert not reads_the_roster(statements)
    # ...until the planner's re-read interval has passed: then it reads again, finds nothing new.
    later = MONDAY_0900_BERLIN + REREAD_EVERY + timedelta(minutes=1)
    with recorded_statements(*outbox.deps.engines) as statements:
        assert await outbox.plan(later) == 0
    assert reads_the_roster(statements)


async def test_someone_added_inside_an_open_window_is_planned_on_the_next_tick(
    make_org: MakeOrg,
) -> None:
    outbox = await make_org(30)
    await outbox.plan(MONDAY_0900_BERLIN)
    deps = outbox.deps
    async with deps.db.begin() as session:
        manager = await session.scalar(select(Person).where(Person.role == Role.MANAGER))
        assert manager is not None
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)  # not even a newer updated_at gives it away
        session.add(
            Person(
                workspace_id=manager.workspace_id,
                slack_user_id="U0LATECOMER",
                role=Role.REP,
                manager_id=manager.id,
                tz="Europe/Berlin",
                profile_checked_at=long_ago,  # read once: the planner schedules them
                created_at=long_ago,
                updated_at=long_ago,
            )
        )
    assert await outbox.plan(MONDAY_0900_BERLIN + timedelta(minutes=1)) >= 1
    async with deps.db() as session:
        kinds = await session.scalars(
            select(Delivery.kind)
            .join(Person, Person.id == Delivery.person_id)
            .where(Person.slack_user_id == "U0LATECOMER")
        )
        assert Step.REP_PROMPT in set(kinds)
