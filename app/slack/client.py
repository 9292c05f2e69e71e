"""The Web API client: Slack's base URL from settings, retries on 429 and dropped connections."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings


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
