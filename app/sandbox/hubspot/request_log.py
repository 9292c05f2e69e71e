"""Reading back what a client did: every request, its answer, when it came, and the
property values batch updates were accepted with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HubSpotRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # the parsed JSON body, or None (no body, or not JSON)
    status: int
    # True when the request got past scripted faults, the token and the rate limits, so it
    # counted against the account's limits (whatever the endpoint answered).
    accepted: bool
    monotonic: float  # self.monotonic() on arrival
    wall: datetime  # self.clock() on arrival


class RequestLog:
    requests: list[HubSpotRequest]
    _writes: dict[tuple[str, str], list[str | None]]

    def requests_to(self, path: str) -> list[HubSpotRequest]:
        return [r for r in self.requests if r.path.rstrip("/") == path.rstrip("/")]

    def writes_to(self, deal_id: str, prop: str) -> list[str | None]:
        """Every value a batch update was accepted with for this deal's property, in order."""
        return list(self._writes.get((deal_id, prop), []))
