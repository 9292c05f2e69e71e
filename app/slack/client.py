"""The Web API client: Slack's base URL from settings, retries on 429 and dropped connections;
and what a failed call says, read without trusting its shape."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping
from typing import Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.db.models import Workspace
from app.deps import Deps

_SECONDS = re.compile(r"[0-9]{1,6}")
DEFAULT_RETRY_AFTER_S = 1


def http_status(exc: SlackApiError) -> int | None:
    """The HTTP status of a failed call (an answer that was not Slack's JSON included)."""
    status = getattr(exc.response, "status_code", None) or getattr(exc.response, "status", None)
    return status if isinstance(status, int) else None


def error_code(exc: SlackApiError) -> str:
    """Slack's error code of a failed call ("user_not_found"), or "http_502" and the like
    when the answer was not Slack's JSON (a proxy's error page)."""
    data = getattr(exc.response, "data", None)
    code = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(code, str) and code:
        return code[:64]
    return f"http_{http_status(exc) or 'error'}"


def retry_after_s(exc: SlackApiError) -> int:
    """Seconds a 429 asks to wait (Retry-After is whole seconds; anything else: 1)."""
    headers = getattr(exc.response, "headers", None) or {}
    value = next((str(v) for k, v in dict(headers).items() if str(k).lower() == "retry-after"), "")
    value = value.strip("[]' ")  # slack-sdk may hand headers over as lists
    return int(value) if _SECONDS.fullmatch(value) else DEFAULT_RETRY_AFTER_S


def make_web_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """For listeners: interactive calls retry a 429 after Retry-After, and connection errors."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def make_outbox_client(
    settings: Settings, token: str, timeout_s: float = 10, http: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """For scheduled DMs: no SDK retries, because the ledger decides when to try again.
    With `http`, calls go over its kept-alive connections (its own timeout applies)."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout_s,  # type: ignore[arg-type]  # annotated int; aiohttp takes seconds as float
        retry_handlers=[],
        session=http,
    )


class Clients(Protocol):
    """Each workspace's bot client (OutboxClients)."""

    def __call__(self, workspace_id: int) -> Awaitable[AsyncWebClient]: ...

    def forget(self, workspace_id: int) -> None:
        """Drop a cached client whose token Slack refused: a reinstall brings a new one."""

    async def close(self) -> None:
        """Close the connections kept open to Slack (at shutdown)."""


class OutboxClients:
    """The bot client of each workspace, for the outbox (one token, or OAuth installations).

    Every client shares one aiohttp session: its connections to Slack stay open between
    posts, so a Monday's thousands of DMs do not each open a connection (and, against
    slack.com, a TLS handshake). Without it the SDK opens a session per call."""

    def __init__(self, deps: Deps, *, timeout_s: float = 10) -> None:
        self.deps = deps
        self.timeout_s = timeout_s
        self._clients: dict[int, AsyncWebClient] = {}
        self._http: aiohttp.ClientSession | None = None

    async def __call__(self, workspace_id: int) -> AsyncWebClient:
        client = self._clients.get(workspace_id)
        if client is None or client.session is not self._connections():
            token = await self._token(workspace_id)
            client = make_outbox_client(
                self.deps.settings, token, self.timeout_s, self._connections()
            )
            self._clients[workspace_id] = client
        return client

    def _connections(self) -> aiohttp.ClientSession:
        """The shared session, opened on first use (it belongs to the running event loop)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self._http

    def forget(self, workspace_id: int) -> None:
        self._clients.pop(workspace_id, None)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None

    async def _token(self, workspace_id: int) -> str:
        async with self.deps.reads() as session:
            workspace = await session.get(Workspace, workspace_id)
        team_id = workspace.team_id if workspace else None
        token = await bot_token(self.deps, team_id)
        if token is None:
            raise LookupError(f"coach is not installed in workspace {team_id}")
        return token


async def bot_token(deps: Deps, team_id: str | None) -> str | None:
    """The bot token coach uses in a workspace: SLACK_BOT_TOKEN, or in OAuth mode the one its
    installation stored (None when coach is not installed there)."""
    settings = deps.settings
    if settings.slack_bot_token is not None:
        return settings.slack_bot_token.get_secret_value()
    if not settings.slack_client_id or team_id is None:
        return None
    from app.slack.sealed_store import installation_store  # only OAuth mode needs it

    bot = await installation_store(deps).async_find_bot(enterprise_id=None, team_id=team_id)
    return bot.bot_token if bot is not None and bot.bot_token else None
