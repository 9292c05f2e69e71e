"""How every listener runs: Slack has its answer the moment the listener acks, and what the
listener does after its ack waits for a turn (`app.slack.runtime.after_ack`).

Bolt runs with `process_before_response=True`, so it sends a request's HTTP answer as soon as
the function it called returns; that function is the wrapper made here. Bolt's default instead
starts the listener and polls every 10 ms for its ack, which puts up to 10 ms on every answer,
more when the loop is busy. (Bolt's own `ack=`/`lazy=` split does not help: its lazy half runs
at once, competing with the acks still waiting.)

Each listener is registered with how it is acked (`Acks`), said where it is registered
(`app/slack/bolt_app.py`) through `Wrap`:

- `Wrap.acked_first`: button clicks, events. The wrapper acks, empty; the listener then runs
  in a task of its own, in its turn. It takes no `ack`.
- `Wrap.command`: a slash command with a pure `read` function, run by the wrapper before the
  ack. An `Outgoing` it returns (help, a typo) is the ephemeral answer, in the ack, and the
  listener does not run; anything else is acked empty and given to the listener as `parsed`.
  A `UserError` it raises (a malformed command) is answered in the ack by the error handler.
- `Wrap.submission`: modal submissions, whose ack can carry field errors or the next view.
  The listener takes `ack` and starts in its task at once; the wrapper returns when it has
  acked, or ended, or failed before acking. A failure before the ack goes to bolt and the
  error handler, so the answer can carry the message; a failure after it is answered by
  `handle_error` on the response_url.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
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


class Acks(Enum):
    FIRST = "first"  # the wrapper acks, empty, before the listener runs
    ITSELF = "itself"  # the listener is given `ack` and acks when it knows what to answer


def _bolt_signature(names: list[str]) -> inspect.Signature:
    """Bolt fills in a listener's arguments by the names in its signature (`ack`, `body`,
    `client` …). The wrapper takes `**kwargs`, so it declares here the names it needs from
    bolt: the listener's own, less those it is given by us, plus what the wrapper itself
    uses. This is the one place that speaks to bolt's argument injection."""
    return inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )


def _check(listener: Listener, acks: Acks, wanted: list[str]) -> None:
    label = getattr(listener, "__name__", "listener")
    if acks is Acks.ITSELF and "ack" not in wanted:
        raise TypeError(f"{label} is registered to ack itself but takes no `ack`")
    if acks is Acks.FIRST and "ack" in wanted:
        raise TypeError(f"{label} is acked first by the wrapper: it must not take `ack`")


async def _wait_for_ack(acked: asyncio.Future[None], label: str) -> None:
    # The listener's first step runs before this one resumes (the loop's ready queue is first
    # in, first out): one that acks or fails before its first wait (a form that does not
    # validate) needs no further wait here.
    await asyncio.sleep(0)
    if not acked.done():
        try:
            await asyncio.wait_for(asyncio.shield(acked), ACK_WAIT_S)
        except TimeoutError:
            log.warning("listener %s did not ack within %.0f s", label, ACK_WAIT_S)


def wrap(
    listener: Listener,
    after: AfterAck,
    injected: Mapping[str, object],
    *,
    acks: Acks,
    read: Callable[[dict[str, Any]], object] | None = None,
) -> Listener:
    """`listener` as bolt should call it. Its parameters named in `injected` get those values
    (the deps, the Home refresher), `parsed` gets what `read` made of the request body; bolt
    fills in the rest by name."""
    wanted = list(inspect.signature(listener).parameters)
    _check(listener, acks, wanted)
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
                if acks is Acks.FIRST:
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

        if acks is Acks.FIRST:
            await ack()
        after.start(work(), f"listener {label}")
        if acks is Acks.ITSELF:
            await _wait_for_ack(acked, label)
        waiting = False
        if before_ack:
            raise before_ack[0]

    run.__name__ = label
    run.__signature__ = _bolt_signature(names)  # type: ignore[attr-defined]
    return run


@dataclass(frozen=True)
class Wrap:
    """Registration, by kind of listener: `Wrap(after, injected).acked_first(on_click)`."""

    after: AfterAck
    injected: Mapping[str, object]

    def acked_first(self, listener: Listener) -> Listener:
        return wrap(listener, self.after, self.injected, acks=Acks.FIRST)

    def command(self, listener: Listener, read: Callable[[dict[str, Any]], object]) -> Listener:
        return wrap(listener, self.after, self.injected, acks=Acks.FIRST, read=read)

    def submission(self, listener: Listener) -> Listener:
        return wrap(listener, self.after, self.injected, acks=Acks.ITSELF)
