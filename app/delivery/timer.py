"""COACH_SCHEDULER=on: APScheduler calls the tick every minute inside `coach serve`.

APScheduler is only the timer: the ledger makes ticks from several replicas safe, so the
in-memory job store is enough, and a late run is simply the next tick (no misfire drops).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.delivery.tick import Outbox

log = logging.getLogger(__name__)


class _OverlapIsExpected(logging.Filter):
    """A fan-out longer than the tick interval makes APScheduler skip the next run, which is
    what we want (max_instances=1); it need not warn about it every time."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_OVERLAP_IS_EXPECTED = _OverlapIsExpected()


async def _tick(outbox: Outbox) -> None:
    """One tick, and at once another while a tick's sending runs out of time (a big Monday,
    a throttled workspace): each plans afresh, so nothing waits behind the sending."""
    again = True
    while again and not outbox.stopping.is_set():
        report = None
        try:
            report = await outbox.tick()
        # The database is away, or so busy no connection came free in time (SQLite's one for
        # writers, say): the next tick catches up.
        except* (DBAPIError, PoolTimeout, OSError) as group:
            reason = type(group.exceptions[0]).__name__
            log.warning("tick: database unavailable (%s); trying again next tick", reason)
        if report is not None and (
            report.planned or report.outcomes or report.expired or report.profiles.describe()
        ):
            log.info("tick: %s", report.describe())
        again = report is not None and report.out_of_time


def start_scheduler(outbox: Outbox, *, every_s: float = 60) -> AsyncIOScheduler:
    logging.getLogger("apscheduler.scheduler").addFilter(_OVERLAP_IS_EXPECTED)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        _tick,
        IntervalTrigger(seconds=every_s),
        args=[outbox],
        id="coach-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),  # the first tick at start-up catches up at once
    )
    scheduler.start()
    return scheduler
