"""The Web API client: Slack's base URL from settings, retries on 429 and dropped connections."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.db.models import Workspace
from app.deps import Deps


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


def make_outbox_client(settings: Settings, token: str, timeout_s: float = 10) -> AsyncWebClient:
    """For scheduled DMs: no SDK retries, because the ledger decides when to try again."""
    return AsyncWebClient(
        token=token, base_url=settings.slack_api_url, timeout=timeout_s, retry_handlers=[]
    )


class OutboxClients:
    """The bot client of each workspace, for the outbox (one token, or OAuth installations)."""

    def __init__(self, deps: Deps, *, timeout_s: float = 10) -> None:
        self.deps = deps
        self.timeout_s = timeout_s
        self._clients: dict[int, AsyncWebClient] = {}

    async def __call__(self, workspace_id: int) -> AsyncWebClient:
        if workspace_id not in self._clients:
            token = await self._token(workspace_id)
            self._clients[workspace_id] = make_outbox_client(
                self.deps.settings, token, self.timeout_s
            )
        return self._clients[workspace_id]

    def forget(self, workspace_id: int) -> None:
        self._clients.pop(workspace_id, None)

    async def _token(self, workspace_id: int) -> str:
        settings = self.deps.settings
        if settings.slack_bot_token is not None:
            return settings.slack_bot_token.get_secret_value()
        from app.slack.oauth import installation_store  # only OAuth mode needs it

        async with self.deps.reads() as session:
            workspace = await session.get(Workspace, workspace_id)
        team_id = workspace.team_id if workspace else None
        bot = await installation_store(self.deps).async_find_bot(
            enterprise_id=None, team_id=team_id
        )
        if bot is None or not bot.bot_token:
            raise LookupError(f"coach is not installed in workspace {team_id}")
        return bot.bot_token
