"""Taking turns to call an outside API (a call recorder, a CRM) for one workspace, at limits
every replica keeps together: a token bucket for the short-term rate and one for the day's
requests, both in `send_pace` (app/db/pace.py). `LocalPace` is the same for one process on
its own (a check command before coach has met any workspace)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.ledger import wall_now
from app.db.pace import Pacer, Rate

MAX_NAP_S = 1.0


class Turn(Protocol):
    async def wait(self) -> None: ...
    async def pause(self, seconds: float) -> None: ...


def daily_rates(per_second: float, per_day: int) -> tuple[Rate, Rate]:
    """The per-second and the daily bucket for limits of `per_second` and `per_day`: one at
    a time at the rate, and a day's bucket of a fifth of the limit refilling so that no 24
    hours hold more than 92% of it (10,000 a day: 2,000 at once, then 5 a minute)."""
    burst = per_day // 5
    refill = max(1, int((per_day * 0.92 - burst) / (24 * 60)))
    return Rate(per_minute=max(1, round(per_second * 60)), burst=1), Rate(refill, burst=burst)


class SharedPace:
    """Waits for a turn to call `method`'s API for one workspace; raises `spent(code)` when
    the day's requests are used up."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        workspace_id: int,
        *,
        method: str,
        rate: Rate,
        day: Rate,
        spent: Callable[[str], Exception],
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.method = method
        self.rate = rate
        self.day = day
        self.spent = spent

    async def wait(self) -> None:
        """Return once a request may go."""
        while True:
            async with self.db.begin() as session:
                now = await wall_now(session)
                daily = Pacer(session, f"{self.method}:day", self.day)
                today = await daily.take_available(self.workspace_id, 1, now)
                if today.granted:
                    taken = await Pacer(session, self.method, self.rate).take_available(
                        self.workspace_id, 1, now
                    )
                    if taken.granted:
                        return
                    await daily.refund(self.workspace_id, now)
                    nap = (taken.bucket.ready_at - now).total_seconds()
                else:
                    # `now` was read before another replica's claim: only a long wait means
                    # the day's requests are spent.
                    nap = (today.bucket.ready_at - now).total_seconds()
                    if nap > MAX_NAP_S:
                        raise self.spent("daily_limit")
            await asyncio.sleep(min(max(nap, 0.01), MAX_NAP_S))

    async def pause(self, seconds: float) -> None:
        """The API said 429: nobody calls it for this workspace for `seconds`."""
        async with self.db.begin() as session:
            now = await wall_now(session)
            await Pacer(session, self.method, self.rate).pause(
                self.workspace_id, timedelta(seconds=seconds), now
            )


class LocalPace:
    """Requests spaced by the rate in this process alone; a 429's wait slept here."""

    def __init__(self, rate: Rate) -> None:
        self.interval = 1 / rate.per_second
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self._next - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        self._next = max(loop.time(), self._next) + self.interval

    async def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._next = max(self._next, loop.time() + seconds)


Stopping = Callable[[], bool]


class Budget:
    """A tick's time for an outside system and whether the process is stopping: checked
    before each request. A tick always makes its first request, so a small budget still
    moves the read on."""

    def __init__(self, budget_s: float, stopping: Stopping) -> None:
        self.deadline = asyncio.get_running_loop().time() + budget_s
        self.stopping = stopping
        self.requests = 0

    def over(self) -> bool:
        late = self.requests > 0 and asyncio.get_running_loop().time() > self.deadline
        return self.stopping() or late
