"""A private app's limits, per account: requests in any rolling 10 seconds, requests a day
(the account's day, midnight in its time zone), and the search endpoints' own per-second
limit. A refused request does not count. Answers other than search's carry the
X-HubSpot-RateLimit-* headers; HubSpot's guide says search answers do not."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.sandbox.hubspot.errors import HubSpotError

INTERVAL_MS = 10_000
# (policyName, the word in the message, groupName)
TEN_SECONDLY = ("TEN_SECONDLY_ROLLING", "ten_secondly_rolling", "api-calls-private-app")
DAILY = ("DAILY", "daily", "api-calls-daily")
SECONDLY = ("SECONDLY", "secondly", "publicapi-crm-search")


def rate_limited(
    policy: tuple[str, str, str], headers: dict[str, str] | None = None
) -> HubSpotError:
    name, word, group = policy
    return HubSpotError(
        429,
        f"You have reached your {word} limit.",
        headers=headers,
        errorType="RATE_LIMIT",
        policyName=name,
        groupName=group,
    )


@dataclass
class Window:
    """Requests admitted in the last `span` seconds (monotonic)."""

    size: int
    span: float

    def __post_init__(self) -> None:
        self.times: deque[float] = deque()

    def full(self, now: float) -> bool:
        while self.times and now - self.times[0] >= self.span:
            self.times.popleft()
        return len(self.times) >= self.size

    def remaining(self, now: float) -> int:
        self.full(now)
        return max(0, self.size - len(self.times))


class RateLimiter:
    def __init__(self, per_ten_seconds: int, per_day: int, search_per_second: int, tz: str):
        self.per_day = per_day
        self.ten_seconds = Window(per_ten_seconds, 10.0)
        self.search = Window(search_per_second, 1.0)
        # reported, not enforced: HubSpot states a tenth of the 10-second limit a second
        self.one_second = Window(max(1, per_ten_seconds // 10), 1.0)
        self.tz = ZoneInfo(tz)
        self._day: date | None = None
        self.used_today = 0

    def admit(self, monotonic: float, wall: datetime, *, search: bool) -> None:
        """Count the request, or raise the 429 of the first limit it is over."""
        day = wall.astimezone(self.tz).date()
        if day != self._day:
            self._day, self.used_today = day, 0
        if self.used_today >= self.per_day:
            raise rate_limited(DAILY, None if search else self.headers(monotonic))
        if self.ten_seconds.full(monotonic):
            raise rate_limited(TEN_SECONDLY, None if search else self.headers(monotonic))
        if search and self.search.full(monotonic):
            raise rate_limited(SECONDLY)
        self.ten_seconds.times.append(monotonic)
        self.one_second.full(monotonic)
        self.one_second.times.append(monotonic)
        if search:
            self.search.times.append(monotonic)
        self.used_today += 1

    def headers(self, monotonic: float) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.per_day),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.per_day - self.used_today)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(INTERVAL_MS),
            "X-HubSpot-RateLimit-Max": str(self.ten_seconds.size),
            "X-HubSpot-RateLimit-Remaining": str(self.ten_seconds.remaining(monotonic)),
            "X-HubSpot-RateLimit-Secondly": str(self.one_second.size),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(self.one_second.remaining(monotonic)),
        }
