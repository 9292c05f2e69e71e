"""The one error handler: expected errors as a friendly sentence, others as a reference id."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from app.domain.errors import FieldErrors, UserError
from app.slack.render import errors as render
from app.slack.replies import tell

log = logging.getLogger(__name__)


def _message_for(error: Exception, body: dict[str, Any]) -> str:
    if isinstance(error, UserError):
        return error.message
    reference = secrets.token_hex(4)
    # Ids only: request bodies can hold coaching notes.
    log.error(
        "unexpected error ref=%s kind=%s team=%s",
        reference,
        body.get("type") or ("slash_command" if "command" in body else "unknown"),
        (body.get("team") or {}).get("id") or body.get("team_id"),
        exc_info=error,
    )
    return render.unexpected(reference)


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond | None,
) -> BoltResponse | None:
    message = _message_for(error, body)
    kind = body.get("type")
    if ack.response is None:  # not yet acknowledged: the answer can ride on the ack
        if kind == "view_submission":
            if isinstance(error, FieldErrors):
                await ack(response_action="errors", errors=error.errors)
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
            await tell(respond, message)
        return ack.response
    if respond is not None and body.get("response_url"):
        await tell(respond, message)
    return None
