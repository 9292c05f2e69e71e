"""A file for one person, in their DM with coach (exports): the DM opened, then the file
uploaded into it through app/slack/files.py."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.slack.client import error_code
from app.slack.files import Uploaded, UploadFailed, upload_file


async def file_to_dm(
    client: AsyncWebClient,
    slack_user_id: str,
    *,
    filename: str,
    content: bytes,
    title: str,
    comment: str,
) -> Uploaded:
    """Share `content` into the person's DM with `comment`; `UploadFailed` when it can't."""
    try:
        opened = await client.conversations_open(users=slack_user_id)
    except SlackApiError as exc:
        raise UploadFailed(error_code(exc)) from exc
    channel = (opened.get("channel") or {}).get("id")
    if not isinstance(channel, str) or not channel:
        raise UploadFailed("no_dm_channel")
    return await upload_file(
        client,
        filename=filename,
        content=content,
        title=title,
        channel_id=channel,
        initial_comment=comment,
    )
