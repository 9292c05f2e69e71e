"""Answers on a request's response_url, seen only by the person who clicked or typed."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond


async def tell(respond: AsyncRespond, text: str, blocks: list[dict] | None = None) -> None:
    """An ephemeral answer under the clicked message or typed command, which stays as it is."""
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
