"""T6: lease expiry with an idle replica.

A replica that sits in an open transaction must not freeze lease expiry for the others: leases
are compared with clock_timestamp(), which moves, not now(), which stands still at the start
of a transaction. And the senders themselves never leave a session idle in a transaction
while they talk to Slack.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.ledger import Claimed, Ledger
from app.db.models import Delivery
from app.db.store import Store
from app.deps import Deps
from app.rules.types import Step
from app.sandbox.server import SlackSandbox
from app.services import week_plan
from tests.support.factories import is_postgres
from tests.support.fanout import (
    MONDAY_0900_BERLIN,
    assert_each_rep_prompted_once,
    prompts_posted,
    run_tick,
    seed_big_org,
)

pytestmark = pytest.mark.postgres_only
log = logging.getLogger(__name__)

SHORT_LEASE = timedelta(seconds=1)
FAN_OUT_REPS = 500
REPLICAS = 2
IDLE_LIMIT_S = 5.0

# The sessions of this database (not this one) sitting in an open transaction, longest first.
IDLE_IN_TRANSACTION = text(
    """
    SELECT pid, extract(epoch FROM clock_timestamp() - state_change) AS seconds, query
      FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND state LIKE 'idle in transaction%'
     ORDER BY state_change
    """
)


@pytest.fixture(autouse=True)
def _postgres_only(database_url: str) -> None:
    if not is_postgres(database_url):
        pytest.skip("pg_stat_activity and clock_timestamp(): PostgreSQL only")


async def claim(deps: Deps, owner: str, person_id: int | None = None) -> list[Claimed]:
    """Claim due prompts (one person's, when given) with a short lease, and commit."""
    async with deps.db.begin() as session:
        claims = await Ledger(session, lease=SHORT_LEASE).claim(
            MONDAY_0900_BERLIN, owner, 10, person_id=person_id, kinds={Step.REP_PROMPT}
        )
    return claims.rows


async def prompt_leases(deps: Deps) -> list[datetime]:
    async with deps.db() as session:
        return list(
            await session.scalars(
                select(Delivery.lease_until).where(Delivery.kind == Step.REP_PROMPT)
            )
        )


async def test_an_idle_transaction_does_not_freeze_lease_expiry(
    deps: Deps, sandbox: SlackSandbox
) -> None:
    await seed_big_org(deps, sandbox, reps=2, managers=1)
    async with deps.db.begin() as session:
        await week_plan.plan_due(Store(session), Ledger(session), MONDAY_0900_BERLIN, "UTC")
    async with deps.engine.connect() as idle:
        # A replica that read the ledger and then sat idle, its transaction still open.
        await idle.execute(select(func.count()).select_from(Delivery))
        idle_pid = await idle.scalar(text("SELECT pg_backend_pid()"))

        dead = await claim(deps, "dead")  # then this sender dies holding both leases
        first, second = sorted(c.person_id for c in dead)
        async with deps.db() as long_running:
            # Its transaction, and the now() inside it, start before the leases run out.
            started = await long_running.scalar(select(func.now()))
            assert started < min(await prompt_leases(deps)), "began after the leases ran out"
            await asyncio.sleep(SHORT_LEASE.total_seconds() + 0.5)
            inside = await Ledger(long_running).claim(
                MONDAY_0900_BERLIN, "alive", 10, person_id=first, kinds={Step.REP_PROMPT}
            )
            await long_running.commit()
        fresh = await claim(deps, "alive", person_id=second)

        async with deps.engine.connect() as watcher:
            idle_pids = {row.pid for row in await watcher.execute(IDLE_IN_TRANSACTION)}
        assert idle_pid in idle_pids, "the idle replica's transaction was not open throughout"

    for rows, person_id in ((inside.rows, first), (fresh, second)):
        assert [(c.person_id, c.attempts, c.ambiguous) for c in rows] == [(person_id, 2, True)]
    async with deps.db() as session:
        owners = set(
            await session.scalars(
                select(Delivery.claimed_by).where(Delivery.kind == Step.REP_PROMPT)
            )
        )
    assert owners == {"alive"}


async def watch_idle_transactions(
    engine: AsyncEngine, done: asyncio.Event
) -> tuple[float, str, int]:
    """Until `done`: every 0.1 s, the longest any session sat idle in a transaction, what
    it ran last, and how many looks were taken."""
    longest, last_query, looks = 0.0, "", 0
    while not done.is_set():
        async with engine.connect() as connection:
            row = (await connection.execute(IDLE_IN_TRANSACTION)).first()
        looks += 1
        if row is not None and float(row.seconds) > longest:
            longest, last_query = float(row.seconds), str(row.query)
        await asyncio.sleep(0.1)
    return longest, last_query, looks


async def test_no_session_idles_in_a_transaction_during_a_fan_out(
    deps: Deps, database_url: str, sandbox: SlackSandbox
) -> None:
    await seed_big_org(deps, sandbox, FAN_OUT_REPS)
    # Two posts answer only after longer than the limit: a sender that kept a transaction
    # open while it waited for Slack would show up idle in it.
    sandbox.stall_next("chat.postMessage", seconds=IDLE_LIMIT_S + 1, count=2)
    done = asyncio.Event()
    watcher = asyncio.create_task(watch_idle_transactions(deps.engine, done))
    try:
        results = await asyncio.gather(*(run_tick(database_url, sandbox) for _ in range(REPLICAS)))
    finally:
        done.set()
        longest, last_query, looks = await watcher
    log.info("longest idle in transaction %.2fs (%r), %s looks", longest, last_query, looks)

    assert all(code == 0 for code, _ in results), results
    assert looks >= 10, "the fan-out ended before pg_stat_activity was looked at"
    assert longest < IDLE_LIMIT_S, f"idle in transaction for {longest:.1f}s after {last_query!r}"
    posted = prompts_posted(sandbox)
    assert len(posted) == FAN_OUT_REPS and set(posted.values()) == {1}
    await assert_each_rep_prompted_once(deps, sandbox, FAN_OUT_REPS)
