"""`coach serve`: check the database, then run the bot over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import socket

import uvicorn
from slack_bolt.async_app import AsyncApp

from app.clock import system_clock
from app.config import Settings, SlackCredentials, SlackMode, slack_credentials
from app.db.migrate import schema_state
from app.deps import Deps
from app.jobs.scheduler import start_scheduler
from app.outbox import Outbox
from app.slack.app import build_bolt_app
from app.slack.client import OutboxClients
from app.web import build_web_app

log = logging.getLogger(__name__)


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
    await handler.connect_async()
    return handler


async def run(settings: Settings, *, sock: socket.socket | None = None) -> None:
    credentials = slack_credentials(settings)  # ConfigError names the variable to set
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        bolt_app = build_bolt_app(deps, credentials)
        socket_handler = None
        if credentials.mode is SlackMode.SOCKET:
            socket_handler = await _socket_mode(bolt_app, credentials)
        server = uvicorn_server(build_web_app(bolt_app, deps.engine), port=settings.port)
        scheduler = None
        if settings.coach_scheduler == "on":
            scheduler = start_scheduler(Outbox(deps, OutboxClients(deps)))
        log.info(
            "coach serving (%s mode) on port %s, database %s",
            credentials.mode.value,
            settings.port,
            "SQLite" if settings.is_sqlite else "PostgreSQL",
        )
        try:
            await server.serve(sockets=[sock] if sock else None)
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if socket_handler is not None:
                await socket_handler.close_async()  # type: ignore[attr-defined]
    finally:
        await deps.close()


def serve(settings: Settings) -> None:
    asyncio.run(run(settings))
