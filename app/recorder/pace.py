"""The recorder's limits, kept by every replica together: a token bucket per workspace in
the database (app/db/pace.py), one for the per-second limit and one for the day's."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.ledger import wall_now
from app.db.pace import Pacer, Rate
from app.recorder.provider import RecorderBudgetSpent


# Gong allows 3 calls a second and 10,000 a day per company (more if Gong raised them: the
# GONG_REQUESTS_PER_* settings). Two a second, one at a time, leaves room for requests that
# arrive bunched up.
def gong_rates(per_second: float, per_day: int) -> tuple[Rate, Rate]:
    """The per-second and the daily bucket for limits of `per_second` and `per_day`: one at
    a time at the rate, and a day's bucket of a fifth of the limit refilling so that no 24
    hours hold more than 92% of it (10,000 a day: 2,000 at once, then 5 a minute)."""
    burst = per_day // 5
    refill = max(1, int((per_day * 0.92 - burst) / (24 * 60)))
    return Rate(per_minute=max(1, round(per_second * 60)), burst=1), Rate(refill, burst=burst)


GONG_RATE, GONG_DAY = gong_rates(2, 10_000)  # Gong's defaults, with room to spare


MAX_NAP_S = 1.0


class SharedPace:
    """Waits for a turn to call the recorder for one workspace (its account)."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        workspace_id: int,
        *,
        method: str = "gong",
        rate: Rate = GONG_RATE,
        day: Rate = GONG_DAY,
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.method = method
        self.rate = rate
        self.day = day

    async def wait(self) -> None:
        """Return once a request may go; RecorderBudgetSpent when the day's are used."""
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
                        raise RecorderBudgetSpent("daily_limit")
            await asyncio.sleep(min(max(nap, 0.01), MAX_NAP_S))

    async def pause(self, seconds: float) -> None:
        """The recorder said 429: nobody calls it for this workspace for `seconds`."""
        async with self.db.begin() as session:
            now = await wall_now(session)
            await Pacer(session, self.method, self.rate).pause(
                self.workspace_id, timedelta(seconds=seconds), now
            )


class LocalPace:
    """The same limit for one process on its own (`coach gong check`, before any workspace
    exists): requests spaced by the rate, a 429's wait slept here."""

    def __init__(self, rate: Rate = GONG_RATE) -> None:
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
