"""App Home refreshes after a change, off the request path.

A saved score, a submitted form or a reported drill changes what up to three people see in
their App Home (the rep, their manager and director). Re-publishing those Homes costs far more
than answering the click, so listeners only ask for it: one worker per process publishes the
Homes a little later, one at a time, each person once however many changes arrived meanwhile.
Acks and other requests never wait behind Home rendering. Opening the Home tab still publishes
at once (`publish_home`), so nobody ever sees a stale Home for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.slack.client import error_code
from app.slack.runtime.after_ack import AfterAck

log = logging.getLogger(__name__)

DEFAULT_DELAY_S = 1.0  # how long a change waits for others to the same Homes

Audience = Callable[[str, str], Awaitable[list[str]]]  # (team, rep) -> whose Homes show them
Publish = Callable[[AsyncWebClient, str, str], Awaitable[None]]  # (client, team, user)


@dataclass
class _Pending:
    client: AsyncWebClient  # the team's client of the latest request (OAuth: per team)
    due: float  # loop time at which to publish


class HomeRefresher:
    """Coalesces and serialises Home publishing. `settled()` waits for what is asked so far;
    `close()` publishes what is pending (up to a deadline) and stops the worker."""

    def __init__(
        self,
        audience: Audience,
        publish: Publish,
        delay_s: float = DEFAULT_DELAY_S,
        after: AfterAck | None = None,
    ):
        self.audience = audience
        self.publish = publish
        self.delay_s = delay_s
        self.after = after  # each Home waits for a turn: acks and answers come first
        self._reps: dict[tuple[str, str], _Pending] = {}  # (team, rep) -> when
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None
        self._closing = False

    def refresh(self, client: AsyncWebClient, team_id: str, rep_slack_user_id: str) -> None:
        """Ask for the Homes that show this rep's week to be re-published soon. Never waits."""
        if self._closing:
            return
        loop = asyncio.get_running_loop()
        key = (team_id, rep_slack_user_id)
        waiting = self._reps.get(key)
        due = waiting.due if waiting else loop.time() + self.delay_s
        self._reps[key] = _Pending(client, due)
        self._idle.clear()
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._run(), name="coach-home-refresh")

    async def settled(self, timeout_s: float = 10.0) -> None:
        """Wait until every Home asked for so far has been published (tests, the demo)."""
        await asyncio.wait_for(self._idle.wait(), timeout_s)

    async def close(self, timeout_s: float = 5.0) -> None:
        """Publish what is pending without its delay, then stop; what is left is dropped
        (each Home is published again when its owner opens it)."""
        self._closing = True
        for pending in self._reps.values():
            pending.due = 0
        self._wake.set()
        if self._worker is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._worker), timeout_s)
        except TimeoutError:
            log.warning("home refresh: %s Homes left unpublished at shutdown", len(self._reps))
            self._worker.cancel()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._reps:
            wait = min(p.due for p in self._reps.values()) - loop.time()
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            now = loop.time()
            due = {key: p for key, p in self._reps.items() if p.due <= now}
            for key in due:
                del self._reps[key]
            await self._publish_all(due)
        self._idle.set()

    async def _publish_all(self, due: dict[tuple[str, str], _Pending]) -> None:
        homes: dict[tuple[str, str], AsyncWebClient] = {}
        for (team_id, rep), pending in due.items():
            try:
                for user in await self.audience(team_id, rep):
                    homes[(team_id, user)] = pending.client
            except Exception:
                log.exception("home refresh: could not tell whose Homes show a change")
        for (team_id, user), client in homes.items():
            try:
                async with self.after.turn() if self.after else contextlib.nullcontext():
                    await self.publish(client, team_id, user)
            except SlackApiError as error:  # best effort: the change itself is saved
                log.warning("home refresh failed: %s", error_code(error))
            except Exception:
                log.exception("home refresh failed")
