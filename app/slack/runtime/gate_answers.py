"""Answering at the gate: clicks, events and slash commands have their answer before bolt
sees them.

Slack shows nothing of a click's or an event's ack but its status, and coach acks both empty
before their listener runs (`Wrap.acked_first`). A slash command's ack is what its pure `read`
function makes of the request (`Wrap.command`): help or a typo's answer, a malformed command's
refusal, or an empty ack. So once the gate (`request_gate`) has checked a request and the
routing table names such a listener for it, the web layer answers at once. Whatever has more to
do (every click and event, a command read as one to carry out) goes to bolt afterwards, as work
after an ack (`after_ack`): its middleware (in OAuth mode, reading the workspace's installation
from the database), its dispatch, then the listener in its own turn, where a command's `read`
runs again (it is pure: the same answer). The answer no longer waits on bolt's pipeline or the
database, and bolt's work no longer delays the other requests of a burst.

Modal submissions (field errors, the next view) go through bolt before their answer, and so
does anything the table does not route (bolt answers it as unhandled), and a command whose
`read` fails unexpectedly (bolt's error handler answers it, with a reference).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request
from slack_bolt.async_app import AsyncApp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.rules.refusals import UserError
from app.slack.render import refusal_text
from app.slack.render.blocks import Outgoing
from app.slack.routes import Routes, request_key
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.routing import Route

log = logging.getLogger(__name__)


def ephemeral(answer: Outgoing) -> Response:
    """A command's answer in its ack, seen only by who typed it (as bolt's `ack` sends it)."""
    body: dict[str, Any] = {"text": answer.text, "response_type": "ephemeral"}
    if answer.blocks:
        body["blocks"] = answer.blocks
    return JSONResponse(body)


class GateAnswers:
    """Which requests the web layer answers itself, and bolt's turn with them afterwards."""

    def __init__(self, bolt_app: AsyncApp, routes: Routes[Route], after: AfterAck) -> None:
        self.bolt_app = bolt_app
        self.routes = routes
        self.after = after

    def answer(self, payload: Mapping[str, Any], request: Request, body: bytes) -> Response | None:
        """The answer to `request` (whose checked body is `payload`) when the web layer gives
        it, bolt handling the request afterwards if there is more to do; None: bolt answers."""
        route = self.routes.find(payload)
        if route is None or not route.at_gate:
            return None
        if route.read is not None:
            try:
                read = route.read(dict(payload))
            except UserError as refused:  # a malformed command: said in the ack, nothing done
                return ephemeral(Outgoing(refusal_text.sentence(refused), []))
            except Exception:  # bolt runs it again, and its error handler answers it
                return None
            if isinstance(read, Outgoing):  # help, a typo: the whole answer
                return ephemeral(read)
        key = request_key(payload)
        label = f"bolt after the gate's answer: {key[1] if key else 'request'}"  # an id only
        self.after.start(self._dispatch(request, body), label)
        return Response(status_code=200)

    async def _dispatch(self, request: Request, body: bytes) -> None:
        async with self.after.turn():  # bolt's own work waits as any work after an ack does
            response = await self.bolt_app.async_dispatch(to_async_bolt_request(request, body))
        if response.status >= 400:  # bolt refused it (an installation it cannot find, say)
            log.warning("bolt answered %s to a request already answered", response.status)
