"""Reading back what a client did: every request, its answer and when it arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SalesforceRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # parsed JSON, the token form with the assertion left out, or None
    status: int
    # True when the request got past the faults, the session check and the daily limit
    # (for the token endpoint: a token was issued)
    accepted: bool
    monotonic: float
    wall: datetime


class RequestLog:
    requests: list[SalesforceRequest]

    def requests_to(self, path: str) -> list[SalesforceRequest]:
        return [r for r in self.requests if r.path == path]

    def token_requests(self) -> list[SalesforceRequest]:
        return self.requests_to("/services/oauth2/token")
