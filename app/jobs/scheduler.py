"""COACH_SCHEDULER=on: APScheduler calls the tick every minute inside `coach serve`.

APScheduler is only the timer: the ledger makes ticks from several replicas safe, so the
in-memory job store is enough, and a late run is simply the next tick (no misfire drops).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app.outbox import Outbox

log = logging.getLogger(__name__)


async def _tick(outbox: Outbox) -> None:
    report = await outbox.tick()
    if report.planned or report.outcomes or report.expired:
        log.info("tick: %s", report.describe())


def start_scheduler(outbox: Outbox) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        _tick,
        IntervalTrigger(minutes=1),
        args=[outbox],
        id="coach-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),  # the first tick at start-up catches up at once
    )
    scheduler.start()
    return scheduler
