"""How a sandbox method refuses a call: the `error` code Slack would answer, plus extras."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


class SlackError(Exception):
    """A refused call: answered as {"ok": false, "error": ..., **extra} with HTTP 200."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


# A Web API method: its (parsed, checked) arguments in, the answer's fields besides "ok" out.
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
