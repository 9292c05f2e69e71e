"""The one error handler: expected errors as a friendly sentence, others as a reference id."""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from app.domain.errors import FieldErrors, UserError
from app.slack.render import errors as render

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
            await respond(text=message, response_type="ephemeral", replace_original=False)
        return ack.response
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)
    return None


def answering_after_ack(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Wrap a listener that acks first, so what it raises afterwards is answered by us.

    In HTTP mode bolt runs such a listener in the background and polls for its ack every
    10 ms; when the listener raises soon after acking (a refused click usually does), bolt's
    error path resets the ack before the poll sees it, and Slack gets a 404 after 3 s on top
    of our sentence. Errors before the ack still go to bolt and `handle_error` as usual.
    """
    wanted = list(inspect.signature(listener).parameters)
    names = [*wanted, *(n for n in ("ack", "body", "respond") if n not in wanted)]

    async def run(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        try:
            await listener(**{name: kwargs[name] for name in wanted})
        except Exception as error:
            if ack.response is None:
                raise
            await handle_error(error, kwargs["body"], ack, kwargs.get("respond"))

    run.__name__ = getattr(listener, "__name__", "listener")
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    return run


# Slack shows an error when a slash command is not acknowledged within 3 s.
COMMAND_ACK_BUDGET_S = 2.0


class _AckOrRespond:
    """The `ack` a slash command listener sees: the real ack while Slack still waits; once
    `late` (Slack already got a "one moment"), the answer goes to the command's response_url."""

    def __init__(self, ack: AsyncAck, respond: AsyncRespond) -> None:
        self.ack = ack
        self.respond = respond
        self.late = False

    @property
    def response(self) -> BoltResponse | None:
        return self.ack.response

    async def __call__(self, text: str = "", blocks: Any = None, **kwargs: Any) -> BoltResponse:
        if not self.late:
            return await self.ack(text=text, blocks=blocks, **kwargs)
        await self.respond(text=text, blocks=blocks, response_type="ephemeral")
        assert self.ack.response is not None
        return self.ack.response


def acked_in_time(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Wrap a slash command listener that answers in its ack: when the answer takes longer
    than the budget (a slow database), ack with "one moment" and send the answer after."""
    inner = answering_after_ack(listener)

    async def run(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        ack_or_respond = _AckOrRespond(ack, kwargs["respond"])
        answering = asyncio.ensure_future(inner(**{**kwargs, "ack": ack_or_respond}))
        done, _ = await asyncio.wait({answering}, timeout=COMMAND_ACK_BUDGET_S)
        if not done and ack.response is None:
            ack_or_respond.late = True
            await ack(text=render.one_moment(), response_type="ephemeral")
        await answering

    run.__name__ = getattr(listener, "__name__", "listener")
    run.__signature__ = inner.__signature__  # type: ignore[attr-defined]
    return run
