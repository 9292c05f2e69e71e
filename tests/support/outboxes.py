"""Outboxes a test builds, closed when it ends.

An outbox keeps one aiohttp session open to Slack. Left for the garbage collector, it is
reported ("Unclosed client session") in whatever test runs next, and the tests that
assert their log holds no error then fail for a leak that is not theirs."""

from __future__ import annotations

from app.delivery.tick import Outbox
from app.deps import Deps
from app.slack.client import OutboxClients


class Outboxes:
    def __init__(self) -> None:
        self._made: list[Outbox] = []
        self._clients: list[OutboxClients] = []

    def clients(self, deps: Deps, *, timeout_s: float = 10) -> OutboxClients:
        """Bot clients of `deps`' workspaces on one session, closed with the rest."""
        made = OutboxClients(deps, timeout_s=timeout_s)
        self._clients.append(made)
        return made

    def __call__(self, deps: Deps, owner: str = "test", *, timeout_s: float = 10) -> Outbox:
        """An outbox of `deps` sending as `owner`, closed with the rest."""
        outbox = Outbox(deps, self.clients(deps, timeout_s=timeout_s), owner=owner)
        self._made.append(outbox)
        return outbox

    async def close(self) -> None:
        """Close every session and chart pool made: nothing is given back to the database
        (a test's own deps may be closed already)."""
        for outbox in self._made:
            outbox.charts.close()
        for clients in self._clients:
            await clients.close()
