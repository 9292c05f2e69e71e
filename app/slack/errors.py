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


class _AckThenQueue:
    """The `ack` a listener sees: acks at once, then waits for a turn to do the rest.

    Everything a listener does after its ack shares the event loop with the requests still
    arriving. Letting only a few listeners work past their ack at a time keeps every new
    request's ack near the front of the loop; the work itself still starts within moments.
    """

    def __init__(self, ack: AsyncAck, turns: asyncio.Semaphore) -> None:
        self.ack = ack
        self.turns = turns
        self.holding = False

    @property
    def response(self) -> BoltResponse | None:
        return self.ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await self.ack(*args, **kwargs)
        if not self.holding:
            await self.turns.acquire()
            self.holding = True
        return response

    def done(self) -> None:
        if self.holding:
            self.holding = False
            self.turns.release()


def answering_after_ack(
    listener: Callable[..., Awaitable[None]], turns: asyncio.Semaphore | None = None
) -> Callable[..., Awaitable[None]]:
    """Wrap a listener that acks first, so what it raises afterwards is answered by us; with
    `turns`, what it does after its ack waits for one of them (see `_AckThenQueue`).

    In HTTP mode bolt runs such a listener in the background and polls for its ack every
    10 ms; when the listener raises soon after acking (a refused click usually does), bolt's
    error path resets the ack before the poll sees it, and Slack gets a 404 after 3 s on top
    of our sentence. Errors before the ack still go to bolt and `handle_error` as usual.
    """
    wanted = list(inspect.signature(listener).parameters)
    names = [*wanted, *(n for n in ("ack", "body", "respond") if n not in wanted)]

    async def run(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        queued = _AckThenQueue(ack, turns) if turns is not None else None
        arguments = {**kwargs, "ack": queued or ack}
        try:
            await listener(**{name: arguments[name] for name in wanted})
        except Exception as error:
            if ack.response is None:
                raise
            await handle_error(error, kwargs["body"], ack, kwargs.get("respond"))
        finally:
            if queued is not None:
                queued.done()

    run.__name__ = getattr(listener, "__name__", "listener")
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    return run
