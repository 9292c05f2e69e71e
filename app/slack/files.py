"""Putting a file into Slack the way Slack takes it from a bot today, in three steps:
files.getUploadURLExternal (an upload URL and a file id), the bytes POSTed to that URL, then
files.completeUploadExternal (privately, for an image block to show by id; or into a DM).

Every step has a timeout and waits out one 429's Retry-After (up to a cap); anything else
raises `UploadFailed`, so the caller can go on without the file. The upload URL comes from
Slack's answer and is untrusted: it must be Slack's file host (or the API's own host, which
is where the local sandbox serves it), over https unless the API itself is plain http."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from app.slack.client import error_code, http_status, retry_after_s

SLACK_FILE_HOST = "files.slack.com"
UPLOAD_TIMEOUT_S = 20.0
MAX_RETRY_AFTER_S = 30  # a longer wait than this gives up: the file is an extra, never a hold-up


class UploadFailed(Exception):
    """The file did not reach Slack; `reason` is a short code for logs (never content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Uploaded:
    file_id: str
    permalink: str | None


def upload_url_allowed(upload_url: str, api_url: str) -> bool:
    """Whether an upload URL from Slack's answer points where Slack's uploads go."""
    target, api = urlsplit(upload_url), urlsplit(api_url)
    if target.hostname == SLACK_FILE_HOST and target.scheme == "https":
        return True
    return (target.scheme, target.netloc) == (api.scheme, api.netloc) and target.scheme in (
        "https",
        "http",
    )


async def upload_file(
    client: AsyncWebClient,
    *,
    filename: str,
    content: bytes,
    title: str,
    channel_id: str | None = None,
    initial_comment: str | None = None,
    timeout_s: float = UPLOAD_TIMEOUT_S,
) -> Uploaded:
    """Upload `content`; shared into `channel_id` with `initial_comment` when given, else
    private to the bot (an image block can still show it by id)."""
    try:
        async with asyncio.timeout(timeout_s):
            answer = await _call(
                lambda: client.files_getUploadURLExternal(filename=filename, length=len(content))
            )
            upload_url, file_id = answer.get("upload_url"), answer.get("file_id")
            if not isinstance(upload_url, str) or not isinstance(file_id, str):
                raise UploadFailed("no_upload_url")
            if not upload_url_allowed(upload_url, client.base_url):
                raise UploadFailed("upload_url_not_slack")
            await _post_bytes(upload_url, filename, content)
            done = await _call(
                lambda: client.files_completeUploadExternal(
                    files=[{"id": file_id, "title": title}],
                    channel_id=channel_id,
                    initial_comment=initial_comment,
                )
            )
    except TimeoutError as exc:
        raise UploadFailed("timeout") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise UploadFailed(type(exc).__name__) from exc
    files = done.get("files")
    first = files[0] if isinstance(files, list) and files and isinstance(files[0], dict) else {}
    if first.get("id") != file_id:
        raise UploadFailed("not_completed")
    permalink = first.get("permalink")
    return Uploaded(file_id, permalink if isinstance(permalink, str) else None)


async def _call(call: Callable[[], Awaitable[AsyncSlackResponse]]) -> dict[str, Any]:
    """One Web API call, again once after a 429's Retry-After."""
    for attempt in range(2):
        try:
            response = await call()
            data = response.data
            return data if isinstance(data, dict) else {}
        except SlackApiError as exc:
            wait = retry_after_s(exc)
            if http_status(exc) == 429 and attempt == 0 and wait <= MAX_RETRY_AFTER_S:
                await asyncio.sleep(wait)
                continue
            raise UploadFailed(error_code(exc)) from exc
    raise UploadFailed("ratelimited")


async def _post_bytes(upload_url: str, filename: str, content: bytes) -> None:
    """POST the bytes (multipart, as Slack's own SDKs do); again once after a 429."""
    async with aiohttp.ClientSession() as session:
        for attempt in range(2):
            form = aiohttp.FormData()
            form.add_field("file", content, filename=filename)
            async with session.post(upload_url, data=form) as response:
                if response.status == 200:
                    return
                wait = response.headers.get("Retry-After", "")
                seconds = int(wait) if wait.isdigit() else 1
                if response.status == 429 and attempt == 0 and seconds <= MAX_RETRY_AFTER_S:
                    await asyncio.sleep(seconds)
                    continue
                raise UploadFailed(f"upload_http_{response.status}")
