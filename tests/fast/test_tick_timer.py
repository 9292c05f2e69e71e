"""The in-process timer: a tick whose sending ran out of time is followed by another at once
(it plans afresh), instead of waiting for the next interval."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.delivery import timer
from app.delivery.tick import Outbox, TickReport


class TickingOutbox:
    """Only what the timer touches: `tick()` and `stopping`."""

    def __init__(self, reports: list[TickReport | Exception]) -> None:
        self.reports = reports
        self.ticks = 0
        self.stopping = asyncio.Event()

    async def tick(self) -> TickReport:
        self.ticks += 1
        report = self.reports.pop(0)
        if isinstance(report, Exception):
            raise report
        return report


async def test_a_tick_out_of_time_is_followed_by_another_at_once() -> None:
    outbox = TickingOutbox(
        [TickReport(out_of_time=True), TickReport(out_of_time=True), TickReport()]
    )
    await timer._tick(cast(Outbox, outbox))
    assert outbox.ticks == 3


async def test_a_tick_in_time_is_the_only_one_until_the_next_interval() -> None:
    outbox = TickingOutbox([TickReport(), TickReport()])
    await timer._tick(cast(Outbox, outbox))
    assert outbox.ticks == 1


async def test_stopping_ends_the_run_of_ticks() -> None:
    outbox = TickingOutbox([TickReport(out_of_time=True), TickReport()])
    outbox.stopping.set()
    await timer._tick(cast(Outbox, outbox))
    assert outbox.ticks == 0


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked")),
        PoolTimeout("QueuePool limit of size 1 overflow 0 reached"),
        ConnectionRefusedError(),
    ],
    ids=["locked", "no connection free in time", "refused"],
)
async def test_a_database_away_or_too_busy_waits_for_the_next_tick(
    failure: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = TickingOutbox([failure, TickReport()])
    await timer._tick(cast(Outbox, outbox))  # raises nothing: the scheduler keeps its job
    assert outbox.ticks == 1
    assert "database unavailable" in caplog.text
