"""Answers on a request's response_url, seen only by the person who clicked or typed; and
updates of coach's own messages in place."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from app.slack.render.blocks import Outgoing


async def tell(
    respond: AsyncRespond, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
    """An ephemeral answer under the clicked message or typed command, which stays as it is."""
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


async def update(client: AsyncWebClient, message: tuple[str, str], reply: Outgoing) -> None:
    """Show `reply` in place of coach's message (channel, ts): one message per step."""
    channel, ts = message
    await client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
