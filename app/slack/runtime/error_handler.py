"""The one error handler: expected errors as a friendly sentence; Slack failing to take an
answer as a warning (an outside system, not a bug); anything else as a reference id, logged
with its traceback."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.rules.refusals import FieldErrors, UserError
from app.slack import payloads
from app.slack.answers import tell
from app.slack.client import error_code
from app.slack.metadata import dm_channel, message_ts
from app.slack.render import failures as render
from app.slack.render import refusal_text as refusals

log = logging.getLogger(__name__)


# Slack refusing or not answering a call: its outage, or a stale trigger, never our bug.
SLACK_FAILURES = (SlackApiError, aiohttp.ClientError, TimeoutError)


def _message_for(error: Exception, body: dict[str, Any]) -> str:
    if isinstance(error, UserError):
        return refusals.sentence(error)
    if isinstance(error, SLACK_FAILURES):
        code = error_code(error) if isinstance(error, SlackApiError) else type(error).__name__
        log.warning("a Slack call failed while answering %s: %s", _kind(body), code)
        return render.slack_failed(code)
    reference = _logged(error, body)
    return render.unexpected_in_dm(reference) if _dm_of(body) else render.unexpected(reference)


def _logged(error: Exception, body: dict[str, Any]) -> str:
    """Log an unexpected error with a short reference (ids only) and return the reference."""
    reference = secrets.token_hex(4)
    # Ids only: request bodies can hold coaching notes.
    log.error(
        "unexpected error ref=%s kind=%s team=%s",
        reference,
        _kind(body),
        payloads.team_id(body),
        exc_info=error,
    )
    return reference


def _kind(body: dict[str, Any]) -> str:
    kind = body.get("type")
    if isinstance(kind, str):
        return kind[:32]
    return "slash_command" if "command" in body else "unknown"


async def _said(sending: Awaitable[Any]) -> None:
    """Send an answer after the ack, as best it can be: Slack may be what failed."""
    try:
        await sending
    except SLACK_FAILURES as exc:
        code = error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("could not tell the person what went wrong: %s", code)


def _dm_of(body: dict[str, Any]) -> tuple[str, str | None] | None:
    """(channel, thread) of a DM someone wrote, when the failed request was one."""
    event = body.get("event") if body.get("type") == "event_callback" else None
    if not isinstance(event, dict) or event.get("channel_type") != "im":
        return None
    channel, thread = dm_channel(event.get("channel")), message_ts(event.get("thread_ts"))
    return (channel, thread) if channel else None


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond | None,
    client: AsyncWebClient | None = None,
) -> BoltResponse | None:
    message = _message_for(error, body)
    kind = body.get("type")
    dm = _dm_of(body)
    if dm is not None and client is not None:  # a DM has no response_url: answer in the DM
        if ack.response is None:
            await ack()
        await _said(client.chat_postMessage(channel=dm[0], thread_ts=dm[1], text=message))
        return ack.response
    if ack.response is None:  # not yet acknowledged: the answer can ride on the ack
        if kind == "view_submission":
            if isinstance(error, FieldErrors):
                await ack(response_action="errors", errors=refusals.field_errors(error))
            elif isinstance(error, UserError) and error.block_id:
                await ack(response_action="errors", errors={error.block_id: message})
            else:
                await ack(response_action="update", view=render.error_modal(message))
            return ack.response
        if "command" in body:
            await ack(text=message, response_type="ephemeral")
            return ack.response
        await ack()
        if respond is not None and body.get("response_url"):
            await _said(tell(respond, message))
        return ack.response
    if respond is not None and body.get("response_url"):
        await _said(tell(respond, message))
    return None
