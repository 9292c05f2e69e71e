"""What a tick costs the database: a fixed handful of statements when nothing is due, and
planning that does not grow with the number of people (no N+1). Statements are counted
without transaction control (SQLite's BEGIN IMMEDIATE); timings live in bench/tick_cost.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest

from app.clock import system_clock
from app.deps import Deps
from app.outbox import Outbox
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients
from tests.conftest import make_settings
from tests.fanout import MONDAY_0900_BERLIN, seed_big_org
from tests.statements import recorded_statements

NOTHING_DUE = MONDAY_0900_BERLIN - timedelta(hours=6)  # 03:00 in Berlin


def queries(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]


MakeOrg = Callable[[int], Awaitable[Outbox]]


@pytest.fixture
async def make_org(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[MakeOrg]:
    """An org of n reps (replacing the last one made), and the outbox that sends for it."""
    built: list[Deps] = []

    async def make(reps: int) -> Outbox:
        deps = Deps.build(make_settings(database_url, sandbox), system_clock)
        built.append(deps)
        await seed_big_org(deps, sandbox, reps, managers=max(1, reps // 10))
        return Outbox(deps, OutboxClients(deps), owner="cost")

    yield make
    for deps in built:
        await deps.close()


async def test_a_tick_with_nothing_due_is_at_most_five_statements(make_org: MakeOrg) -> None:
    outbox = await make_org(60)
    with recorded_statements(outbox.deps.engine) as statements:
        report = await outbox.tick(NOTHING_DUE)
    assert report.planned == 0 and not report.outcomes
    assert len(queries(statements)) <= 5, statements


async def test_planning_costs_the_same_statements_for_ten_or_a_hundred_reps(
    make_org: MakeOrg,
) -> None:
    counts = {}
    for reps in (10, 100):
        outbox = await make_org(reps)
        with recorded_statements(outbox.deps.engine) as statements:
            planned = await outbox.plan(MONDAY_0900_BERLIN)
        assert planned >= reps
        counts[reps] = len(queries(statements))
    assert counts[10] == counts[100], counts
