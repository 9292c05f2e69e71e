"""Reading back what a client did: every request, its answer and when it arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class GongRequest:
    method: str
    path: str
    status: int
    monotonic: float  # time.monotonic() on arrival
    wall: datetime  # aware, on arrival
    body: Any  # the parsed JSON body, or None (no body, or not JSON)
    query: dict[str, str]
    # True when the request got past scripted faults, credentials and the rate limits,
    # so it counted as one of the company's API calls (whatever the endpoint answered).
    accepted: bool


class RequestLog:
    requests: list[GongRequest]

    def requests_to(self, path: str) -> list[GongRequest]:
        return [r for r in self.requests if r.path == path]

    def max_in_any_second(self, *, accepted_only: bool = False) -> int:
        """The most requests that arrived within any 1-second window."""
        times = sorted(r.monotonic for r in self.requests if r.accepted or not accepted_only)
        best = 0
        start = 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best
