"""`coach serve`: check the database, then run the bot over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Iterator

import uvicorn
from slack_bolt.async_app import AsyncApp

from app.clock import system_clock
from app.config import Settings, SlackCredentials, SlackMode, gong_credentials, slack_credentials
from app.db.migrate import schema_state
from app.db.sender_lock import SenderBusy, single_sender
from app.delivery.stop_signals import stop_on_signals
from app.delivery.tick import Outbox
from app.delivery.timer import start_scheduler
from app.deps import Deps
from app.slack.bolt_app import build_bolt_app
from app.slack.client import OutboxClients, make_web_client
from app.slack.listeners.home_opened import home_refresher
from app.slack.runtime.after_ack import AfterAck
from app.slack.workspace_access import resume_with_token
from app.web import build_web_app

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 20  # within the 30 s most orchestrators wait after SIGTERM


class StartupError(Exception):
    """The bot cannot start; the message says what to do."""


async def check_schema(deps: Deps) -> None:
    try:
        state = await schema_state(deps.engine)
    except Exception as exc:
        raise StartupError(
            f"Cannot reach the database at DATABASE_URL ({type(exc).__name__}): check it is "
            "running and the URL is right."
        ) from exc
    if state.current is None:
        raise StartupError("The database has no coach tables yet: run `coach migrate` first.")
    if not state.up_to_date:
        raise StartupError(
            f"The database schema is at revision {state.current} but this version needs "
            f"{state.head}: run `coach migrate` first."
        )


def uvicorn_server(web_app: object, *, port: int, host: str = "0.0.0.0") -> uvicorn.Server:
    config = uvicorn.Config(
        web_app,  # type: ignore[arg-type]
        host=host,
        port=port,
        lifespan="off",
        access_log=False,  # request lines carry nothing we need; bodies never logged
        log_level="warning",
        proxy_headers=True,
    )
    return uvicorn.Server(config)


async def _socket_mode(bolt_app: AsyncApp, credentials: SlackCredentials) -> object:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bolt_app, app_token=credentials.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt leaves it untyped
    return handler


async def run(settings: Settings, *, sock: socket.socket | None = None) -> None:
    credentials = slack_credentials(settings)  # ConfigError names the variable to set
    if gong_credentials(settings) is not None and credentials.mode is SlackMode.OAUTH:
        log.warning(
            "GONG_* is ignored in OAuth mode: each workspace's admin connects Gong in the App Home"
        )
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        if credentials.bot_token is not None:  # one token: see whether it works again
            await resume_with_token(deps, make_web_client(settings, credentials.bot_token))
        with _sender(settings):
            await _serve(deps, credentials, sock)
    finally:
        await deps.close()


@contextlib.contextmanager
def _sender(settings: Settings) -> Iterator[None]:
    """Running the cadence makes this process a sender: one per SQLite database."""
    if settings.coach_scheduler == "off":
        yield
        return
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(single_sender(settings.database_url))
        except SenderBusy as exc:
            raise StartupError(f"{exc} Or set COACH_SCHEDULER=off for this one.") from exc
        yield


def freeze_start_up_objects() -> None:
    """What start-up built (modules, the ORM's mappers, the bolt app: ~130,000 objects) lives as
    long as the process. Out of the collector's sight, a full collection scans only what
    requests and ticks create: with 10,000 people its pause fell from 70-130 ms, which every
    request then in flight waited out, to about 5 ms."""
    gc.collect()
    gc.freeze()


async def _serve(deps: Deps, credentials: SlackCredentials, sock: socket.socket | None) -> None:
    settings = deps.settings
    after = AfterAck()  # work after an ack waits for the requests still waiting for theirs
    homes = home_refresher(deps, after)
    outbox = Outbox(deps, OutboxClients(deps))  # the tick's, and the listeners' sends now
    bot = build_bolt_app(deps, credentials, homes, after, outbox)
    socket_handler = None
    if credentials.mode is SlackMode.SOCKET:
        socket_handler = await _socket_mode(bot.app, credentials)
    web_app = build_web_app(
        bot.app,
        deps.engine,
        signing_secret=credentials.http_signing_secret,
        after=after,
        gate_answers=bot.gate_answers,
    )
    server = uvicorn_server(web_app, port=settings.port)
    scheduler = None
    if settings.coach_scheduler == "on":
        scheduler = start_scheduler(outbox, every_s=settings.coach_tick_seconds)
    freeze_start_up_objects()
    log.info(
        "coach serving (%s mode) on port %s, database %s",
        credentials.mode.value,
        settings.port,
        "SQLite" if settings.is_sqlite else "PostgreSQL",
    )
    # uvicorn turns SIGTERM into a graceful stop (no new requests, open ones finish), then
    # raises the signal again: our handler takes it, so the outbox can drain below.
    try:
        with stop_on_signals(outbox.stop):
            await server.serve(sockets=[sock] if sock else None)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)  # no new ticks
        _, settled = await asyncio.gather(
            outbox.release(SHUTDOWN_GRACE_S),  # sends under way finish, leases go back
            after.settled(SHUTDOWN_GRACE_S),  # what listeners do after their acks finishes
        )
        if not settled:
            log.warning("stopping with work after acks unfinished: %s", ", ".join(after.at_work))
        await homes.close()  # Homes asked for just before the stop still go out
        if socket_handler is not None:
            await socket_handler.close_async()  # type: ignore[attr-defined]


def serve(settings: Settings) -> None:
    asyncio.run(run(settings))
