"""The HTTP surface: POST /slack/events for everything Slack sends (HTTP and OAuth modes), GET
/healthz, GET /metrics, OAuth pages. In Socket Mode, Slack's requests come over the websocket
and the port serves /healthz and /metrics only: nothing unsigned can reach a listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app import observability
from app.clock import Clock, system_clock
from app.slack.runtime import request_gate
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.gate_answers import GateAnswers

log = logging.getLogger(__name__)

# Slack's biggest payloads (a modal with 100 blocks of state) stay well under this.
MAX_BODY_BYTES = 1_000_000
HEALTH_TIMEOUT_S = 2.0
_DIGITS = re.compile(r"[0-9]{1,12}")


async def database_answers(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_S), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not healthy"; say which in the log
        log.warning("health check: database did not answer (%s)", type(exc).__name__)
        return False
    return True


def refusal(refused: request_gate.Refused, kind: str) -> Response:
    """The answer to a request the gate turned away, and its one log line (never the body)."""
    log.warning("refused a Slack request (%s): %s", kind, refused.reason)
    error = "invalid request" if refused.status == 401 else "bad request"
    return JSONResponse({"error": error}, status_code=refused.status)


def build_web_app(
    bolt_app: AsyncApp,
    engine: AsyncEngine,
    *,
    signing_secret: str | None,
    clock: Clock = system_clock,
    after: AfterAck | None = None,
    wall: Callable[[], float] = time.time,
    gate_answers: GateAnswers | None = None,
) -> Starlette:
    """The routes. With a `signing_secret` (HTTP and OAuth modes) POST /slack/events takes what
    Slack sends, each request checked by the gate (`app.slack.runtime.request_gate`) against
    the `wall` clock (real seconds, as Slack signs) before bolt sees it; without one (Socket
    Mode) that route does not exist. With `after`, every Slack request counts as unanswered
    until its answer, so the bot's work after other acks waits for it (see
    `app.slack.runtime.after_ack`). With `gate_answers`, clicks, events and commands have
    their answer before bolt sees them (`app.slack.runtime.gate_answers`)."""
    handler = AsyncSlackRequestHandler(bolt_app)
    routes = _health_routes(engine, clock)
    if signing_secret is not None:
        answering = after.acking if after is not None else contextlib.nullcontext
        endpoint = _slack_events(handler, signing_secret, answering, wall, gate_answers)
        routes.append(Route("/slack/events", endpoint, methods=["POST"]))
    if bolt_app.oauth_flow is not None:

        async def slack_oauth(request: Request) -> Response:
            return await handler.handle(request)

        routes += [
            Route(bolt_app.oauth_flow.install_path, slack_oauth, methods=["GET"]),
            Route(bolt_app.oauth_flow.redirect_uri_path, slack_oauth, methods=["GET"]),
        ]
    return Starlette(routes=routes)


def _health_routes(engine: AsyncEngine, clock: Clock) -> list[Route]:
    """GET /healthz (the database answers) and GET /metrics (Prometheus), in every mode."""

    async def healthz(_: Request) -> Response:
        if await database_answers(engine):
            return JSONResponse({"ok": True})
        return JSONResponse({"ok": False, "error": "database unreachable"}, status_code=503)

    async def metrics(_: Request) -> Response:
        depth = await observability.queue_depth(engine, clock())
        return Response(observability.exposition(depth), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def _too_large(declared: str | None) -> Response | None:
    if declared and _DIGITS.fullmatch(declared) and int(declared) > MAX_BODY_BYTES:
        return PlainTextResponse("request body too large", status_code=413)
    return None


def _slack_events(
    handler: AsyncSlackRequestHandler,
    signing_secret: str,
    answering: Callable[[], contextlib.AbstractContextManager[object]],
    wall: Callable[[], float],
    gate_answers: GateAnswers | None,
) -> Callable[[Request], Awaitable[Response]]:
    """POST /slack/events: size, then signature and timestamp on the raw bytes, then the
    payload's shape; then the answer to a click, an event or a command, or bolt. Each
    request's ack latency is recorded by kind."""

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        kind = "other"
        try:
            with answering():
                oversized = _too_large(request.headers.get("content-length"))
                if oversized is not None:
                    return oversized
                body = await request.body()
                if len(body) > MAX_BODY_BYTES:
                    return PlainTextResponse("request body too large", status_code=413)
                content_type = request.headers.get("content-type", "")
                kind = observability.request_kind(content_type, body)
                refused = request_gate.check_signature(
                    signing_secret, request.headers, body, wall()
                )
                payload = refused or request_gate.read_payload(content_type, body)
                if isinstance(payload, request_gate.Refused):
                    return refusal(payload, kind)
                answered = (
                    None if gate_answers is None else gate_answers.answer(payload, request, body)
                )
                return answered if answered is not None else await handler.handle(request)
        finally:
            observability.record_ack(kind, time.perf_counter() - started)

    return slack_events
