"""The recorder's limits, kept by every replica together: a token bucket per workspace in
the database (app/db/pace.py), one for the per-second limit and one for the day's."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import turns
from app.db.pace import Rate
from app.recorder.provider import RecorderBudgetSpent

# Gong allows 3 calls a second and 10,000 a day per company (more if Gong raised them: the
# GONG_REQUESTS_PER_* settings). Two a second, one at a time, leaves room for requests that
# arrive bunched up.
gong_rates = turns.daily_rates

GONG_RATE, GONG_DAY = gong_rates(2, 10_000)  # Gong's defaults, with room to spare


class SharedPace(turns.SharedPace):
    """Waits for a turn to call Gong for one workspace (its account); RecorderBudgetSpent
    when the day's requests are used."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        workspace_id: int,
        *,
        rate: Rate = GONG_RATE,
        day: Rate = GONG_DAY,
    ) -> None:
        super().__init__(
            db, workspace_id, method="gong", rate=rate, day=day, spent=RecorderBudgetSpent
        )


class LocalPace(turns.LocalPace):
    """Gong's limit for one process on its own (`coach gong check`, before any workspace
    exists)."""

    def __init__(self, rate: Rate = GONG_RATE) -> None:
        super().__init__(rate)
