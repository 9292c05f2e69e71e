"""How every listener runs: Slack has its answer the moment the listener acks, and what the
listener does after its ack waits for a turn (`app.slack.runtime.after_ack`).

Bolt runs with `process_before_response=True`, so it sends a request's HTTP answer as soon as
the function it called returns; that function is the wrapper made here. Bolt's default instead
starts the listener and polls every 10 ms for its ack, which puts up to 10 ms on every answer,
more when the loop is busy.

- A listener without an `ack` parameter (button clicks, events) is acked, empty, by the wrapper
  itself; the listener then runs in a task of its own, in its turn.
- A slash command comes with a pure `read` function, run by the wrapper before the ack: an
  `Outgoing` it returns (help, a typo) is the ephemeral answer, in the ack, and the listener
  does not run; anything else is acked empty and given to the listener as `parsed`. A
  `UserError` it raises (a malformed command) is answered in the ack by the error handler.
- A listener with one (modal submissions: their ack can carry field errors or the next view)
  starts in its task at once; the wrapper returns when it has acked, or ended, or failed
  before acking. A failure before the ack goes to bolt and the error handler, so the
  answer can carry the message; a failure after it is answered by `handle_error` on the
  response_url.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse

from app.slack.render.blocks import Outgoing
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.error_handler import handle_error

log = logging.getLogger(__name__)

ACK_WAIT_S = 3.0  # Slack's own limit: a request not acked by then has failed already
Listener = Callable[..., Awaitable[None]]


class _AckThenTurn:
    """The `ack` a listener sees: acks, lets the request's answer go, then waits for a turn."""

    def __init__(self, ack: AsyncAck, after: AfterAck, acked: asyncio.Future[None]) -> None:
        self.ack = ack
        self.after = after
        self.acked = acked
        self.holding = False

    @property
    def response(self) -> BoltResponse | None:
        return self.ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await self.ack(*args, **kwargs)
        if not self.acked.done():
            self.acked.set_result(None)
        await self.hold_turn()
        return response

    async def hold_turn(self) -> None:
        if not self.holding:
            await self.after.take_turn()
            self.holding = True

    def done(self) -> None:
        if not self.acked.done():
            self.acked.set_result(None)
        if self.holding:
            self.holding = False
            self.after.give_back()


def listening(
    listener: Listener,
    after: AfterAck,
    injected: Mapping[str, object],
    *,
    read: Callable[[dict[str, Any]], object] | None = None,
) -> Listener:
    """`listener` as bolt should call it. Its parameters named in `injected` get those values
    (the deps, the Home refresher), `parsed` gets what `read` made of the request body; bolt
    fills in the rest by name."""
    wanted = list(inspect.signature(listener).parameters)
    acks_itself = "ack" in wanted
    ours = {*injected, *(["parsed"] if read is not None else [])}
    from_bolt = [name for name in wanted if name not in ours]
    names = [*from_bolt, *(n for n in ("ack", "body", "respond", "client") if n not in from_bolt)]
    label = getattr(listener, "__name__", "listener")

    async def run(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        arguments = {**kwargs, **injected}
        if read is not None:
            parsed = read(kwargs["body"])
            if isinstance(parsed, Outgoing):
                await ack(text=parsed.text, blocks=parsed.blocks, response_type="ephemeral")
                return
            arguments["parsed"] = parsed
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        gate = _AckThenTurn(ack, after, acked)
        arguments["ack"] = gate
        before_ack: list[Exception] = []  # a failure bolt should answer, as the ack
        waiting = True

        async def work() -> None:
            try:
                if not acks_itself:
                    await gate.hold_turn()
                await listener(**{name: arguments[name] for name in wanted})
            except Exception as error:
                if ack.response is None and waiting:
                    before_ack.append(error)
                else:
                    await handle_error(
                        error, kwargs["body"], ack, kwargs.get("respond"), kwargs.get("client")
                    )
            finally:
                gate.done()

        if not acks_itself:
            await ack()
        after.start(work(), f"listener {label}")
        if acks_itself:
            # The listener's first step runs before this one resumes (the loop's ready queue is
            # first in, first out): one that acks or fails before its first wait (a form that
            # does not validate) needs no further wait here.
            await asyncio.sleep(0)
            if not acked.done():
                try:
                    await asyncio.wait_for(asyncio.shield(acked), ACK_WAIT_S)
                except TimeoutError:
                    log.warning("listener %s did not ack within %.0f s", label, ACK_WAIT_S)
        waiting = False
        if before_ack:
            raise before_ack[0]

    run.__name__ = label
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    return run
