"""Gong's default limits, per company: calls per second (a sliding 1-second window of
accepted calls) and calls per UTC day. Over either, the caller is told how long to wait."""

from __future__ import annotations

import math
from collections import deque
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start


class RateLimiter:
    def __init__(self, per_second: int, per_day: int) -> None:
        self.per_second = per_second
        self.per_day = per_day
        self._window: deque[float] = deque()
        self._day: date | None = None
        self._today = 0

    def admit(self, monotonic: float, wall: datetime) -> int | None:
        """Count the call and return None, or return the whole seconds to wait (at least 1)
        without counting it."""
        day = wall.astimezone(UTC).date()
        if day != self._day:
            self._day, self._today = day, 0
        if self._today >= self.per_day:
            midnight = datetime.combine(day + timedelta(days=1), day_start(), UTC)
            return max(1, math.ceil((midnight - wall).total_seconds()))
        while self._window and monotonic - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.per_second:
            return max(1, math.ceil(self._window[0] + 1.0 - monotonic))
        self._window.append(monotonic)
        self._today += 1
        return None

    @property
    def used_today(self) -> int:
        return self._today
