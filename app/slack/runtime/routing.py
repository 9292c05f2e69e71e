"""The routing table (`app.slack.routes`) as bolt's one listener: one look-up per request.

Bolt tries its listeners in turn, and each built-in matcher first builds every argument bolt
could inject (the payload read eight ways, the context copied) before comparing one id. With a
listener per id that was done up to sixty times before the answer; a bare app with two
listeners does it twice. Here bolt has a single listener whose matcher reads the request body
once against the table, and whose function calls the route found. A request the table has no
route for matches nothing, so bolt answers it as it did when each id had its own listener (404,
"unhandled request", and its warning).

Bolt has no public way to give a listener a matcher of one's own (`app.action(...)` always puts
a built-in one first), so the listener is appended to the app's listener list, as bolt's own
`_register_listener` does: the fast tests dispatch through a real `AsyncApp` to catch a bolt
that changes this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.listener.async_listener import AsyncCustomListener
from slack_bolt.listener_matcher.async_listener_matcher import AsyncListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from app.slack.routes import Routes
from app.slack.runtime.listener_wrapper import BoltListener


@dataclass(frozen=True)
class Route:
    """A listener as bolt calls it, and whether the web layer answers its request before bolt
    sees it (`app.slack.runtime.gate_answers`): clicks and events (an empty ack), commands
    (what their pure `read` makes of the request: an ephemeral answer, or an empty ack)."""

    listener: BoltListener
    at_gate: bool = False
    read: Callable[[dict[str, Any]], object] | None = None


class _HasRoute(AsyncListenerMatcher):
    """Matches a request the table routes; reads the body only (no injected arguments)."""

    def __init__(self, routes: Routes[Route]) -> None:
        self.routes = routes

    async def async_matches(self, req: AsyncBoltRequest, resp: BoltResponse) -> bool:
        return self.routes.find(req.body) is not None


def mount(app: AsyncApp, routes: Routes[Route]) -> None:
    """`routes` as `app`'s listener: the request's route (a wrapped listener) is called with
    bolt's `args`, as bolt would call it had it been registered alone."""

    async def route(args: AsyncArgs) -> None:
        found = routes.find(args.body)
        if found is not None:  # it is: the matcher found it, on the same body
            await found.listener(args)

    app._async_listeners.append(  # bolt has no public way (see above)
        AsyncCustomListener(
            app_name=app.name,
            ack_function=route,
            lazy_functions=[],
            matchers=[_HasRoute(routes)],
            middleware=[],
            base_logger=app.logger,
        )
    )
