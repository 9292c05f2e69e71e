"""Reading back what the bot did: every call, response_url posts, the messages in Slack."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.state import Call, Message
from app.slack.metadata import delivery_id_in


class CallLog(SandboxBase):
    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [c for c in self.state.calls if c.method == method and (c.ok or not ok_only)]

    def mark(self) -> int:
        """A position in the call log, for `wait_for_call(since=...)`."""
        return len(self.state.calls)

    async def wait_for_call(
        self,
        method: str,
        *,
        since: int = 0,
        where: Callable[[Call], bool] = lambda call: True,
        timeout_s: float = 5.0,
    ) -> Call:
        """The first call to `method` after position `since` that matches; the bot handles
        events after acking them, so their effects arrive a moment after the HTTP answer."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for call in self.state.calls[since:]:
                if call.method == method and where(call):
                    return call
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no {method} call matched within {timeout_s}s")
            await asyncio.sleep(0.01)

    async def wait_for_response(
        self, *, since: int, timeout_s: float = 5.0, url: str | None = None
    ) -> dict[str, Any]:
        """The first message posted to a response_url (to `url`, when given) after position
        `since` of that log."""
        token = url.rsplit("/", 1)[-1] if url else None
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for response in self.state.responses[since:]:
                if token is None or response["response_url"] == token:
                    return response
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"nothing was posted to a response_url within {timeout_s}s")
            await asyncio.sleep(0.01)

    def deliveries(self) -> Counter[int]:
        """Delivery id → how many messages in Slack carry it (whatever the bot was told)."""
        return Counter(
            delivery
            for messages in self.state.messages.values()
            for message in messages
            if (delivery := delivery_id_in(message.metadata)) is not None
        )

    def messages_to(self, user_id: str) -> list[Message]:
        return self.state.messages.get(self.state.dm_channel(user_id), [])
