"""Answering at the gate: a click or an event has its empty 200 before bolt sees it.

Slack shows nothing of a click's or an event's ack but its status, and coach acks both empty
before their listener runs (`Wrap.acked_first`). So once the gate (`request_gate`) has checked
a request and the routing table names such a listener for it, the web layer answers at once,
and bolt handles the request afterwards, as work after an ack (`after_ack`): its middleware
(in OAuth mode, reading the workspace's installation from the database), its listener
dispatch, then the listener in its own turn. The answer no longer waits on bolt's pipeline or
the database; bolt's work no longer delays the other requests of a burst.

Commands (a typo is answered in the ack) and modal submissions (field errors, the next view)
go through bolt before their answer, as before, and so does anything the table does not route
(bolt answers it as unhandled).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request
from slack_bolt.async_app import AsyncApp
from starlette.requests import Request

from app.slack.routes import Routes, request_key
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.routing import Route

log = logging.getLogger(__name__)


class GateAnswers:
    """Which requests the web layer answers itself, and bolt's turn with them afterwards."""

    def __init__(self, bolt_app: AsyncApp, routes: Routes[Route], after: AfterAck) -> None:
        self.bolt_app = bolt_app
        self.routes = routes
        self.after = after

    def answer_first(self, payload: Mapping[str, Any], request: Request, body: bytes) -> bool:
        """True when `payload` (the checked body of `request`) is one whose answer is an empty
        ack: bolt then handles it after the answer, in a turn. False: bolt answers it."""
        route = self.routes.find(payload)
        if route is None or not route.empty_ack:
            return False
        key = request_key(payload)
        label = f"bolt after the gate's answer: {key[1] if key else 'request'}"  # an id only
        self.after.start(self._dispatch(request, body), label)
        return True

    async def _dispatch(self, request: Request, body: bytes) -> None:
        async with self.after.turn():  # bolt's own work waits as any work after an ack does
            response = await self.bolt_app.async_dispatch(to_async_bolt_request(request, body))
        if response.status >= 400:  # bolt refused it (an installation it cannot find, say)
            log.warning("bolt answered %s to a request already answered", response.status)
