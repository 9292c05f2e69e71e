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

The kind is the declaration; the wrapper never guesses it from a listener's parameters. It
reads them only to hand over what each one names, as bolt would: `deps`, `homes`, `outbox`
from `injected`, `parsed` from `read`, the rest (`body`, `ack`, `client` …) from bolt. Bolt
itself is asked for one argument, `args` (its `AsyncArgs`: everything it can inject), so the
wrapper has a plain signature and no forged one. A name that is none of these is refused at
registration.
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
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.response import BoltResponse

from app.slack.render.blocks import Outgoing
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.error_handler import handle_error

log = logging.getLogger(__name__)

ACK_WAIT_S = 3.0  # Slack's own limit: a request not acked by then has failed already
Listener = Callable[..., Awaitable[None]]
BoltListener = Callable[[AsyncArgs], Awaitable[None]]


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


# What bolt can hand a listener, by name (`AsyncArgs`' fields: `body`, `ack`, `client` …).
FROM_BOLT = frozenset(inspect.signature(AsyncArgs.__init__).parameters) - {"self", "kwargs"}


def _arguments_of(
    listener: Listener, acks: Acks, injected: Mapping[str, object], reads: bool
) -> list[str]:
    """The names `listener` takes, checked at registration against how it is declared: only a
    listener that acks itself takes `ack`, and each name is bolt's, injected, or `parsed`."""
    label = _label(listener)
    names = list(inspect.signature(listener).parameters)
    if acks is Acks.ITSELF and "ack" not in names:
        raise TypeError(f"{label} is registered to ack itself but takes no `ack`")
    if acks is Acks.FIRST and "ack" in names:
        raise TypeError(f"{label} is acked first by the wrapper: it must not take `ack`")
    ours = {*injected, *(["parsed"] if reads else [])}
    unknown = [name for name in names if name not in ours and name not in FROM_BOLT]
    if unknown:
        raise TypeError(f"{label} takes {unknown}: neither bolt's, nor injected, nor `parsed`")
    return names


def _label(listener: Listener) -> str:
    return getattr(listener, "__name__", "listener")


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


class _Call:
    """One call of a listener: acked first, or started at once to ack itself; a failure
    before the ack is bolt's to answer, one after it is `handle_error`'s."""

    def __init__(self, args: AsyncArgs, after: AfterAck, acks: Acks, label: str) -> None:
        self.args, self.after, self.acks, self.label = args, after, acks, label
        self.acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.gate = _AckThenTurn(args.ack, after, self.acked)
        self.waiting = True  # the wrapper has not returned: bolt still answers
        self.before_ack: list[Exception] = []  # a failure bolt should answer, as the ack

    async def answer(self, listener: Listener, arguments: dict[str, Any]) -> None:
        if "ack" in arguments:
            arguments["ack"] = self.gate
        if self.acks is Acks.FIRST:
            await self.args.ack()
        self.after.start(self.work(listener, arguments), f"listener {self.label}")
        if self.acks is Acks.ITSELF:
            await _wait_for_ack(self.acked, self.label)
        self.waiting = False
        if self.before_ack:
            raise self.before_ack[0]

    async def work(self, listener: Listener, arguments: dict[str, Any]) -> None:
        args = self.args
        try:
            if self.acks is Acks.FIRST:
                await self.gate.hold_turn()
            await listener(**arguments)
        except Exception as error:
            if args.ack.response is None and self.waiting:
                self.before_ack.append(error)
            else:
                await handle_error(error, args.body, args.ack, args.respond, args.client)
        finally:
            self.gate.done()


def wrap(
    listener: Listener,
    after: AfterAck,
    injected: Mapping[str, object],
    *,
    acks: Acks,
    read: Callable[[dict[str, Any]], object] | None = None,
) -> BoltListener:
    """`listener` as bolt should call it, acked as `acks` says. Its parameters named in
    `injected` get those values (the deps, the Home refresher, the outbox), `parsed` gets
    what `read` made of the request body, and the rest come from bolt, by name."""
    names = _arguments_of(listener, acks, injected, read is not None)
    label = _label(listener)

    async def run(args: AsyncArgs) -> None:
        """What bolt calls. Bolt gives a function the arguments its parameters name; `args`
        is its name for all of them at once, so the wrapper needs no signature of its own
        per listener: it hands the listener the names it takes."""
        given: dict[str, Any] = dict(injected)
        if read is not None:
            parsed = read(args.body)
            if isinstance(parsed, Outgoing):  # help, a typo: the answer is the ack
                await args.ack(text=parsed.text, blocks=parsed.blocks, response_type="ephemeral")
                return
            given["parsed"] = parsed
        arguments = {name: given[name] if name in given else getattr(args, name) for name in names}
        await _Call(args, after, acks, label).answer(listener, arguments)

    run.__name__ = label
    return run


@dataclass(frozen=True)
class Wrap:
    """Registration, by kind of listener: `Wrap(after, injected).acked_first(on_click)`."""

    after: AfterAck
    injected: Mapping[str, object]

    def acked_first(self, listener: Listener) -> BoltListener:
        """A click or an event: acked empty by the wrapper; the listener runs in its turn."""
        return wrap(listener, self.after, self.injected, acks=Acks.FIRST)

    def command(self, listener: Listener, read: Callable[[dict[str, Any]], object]) -> BoltListener:
        """A slash command: `read` runs before the ack (an `Outgoing` is the answer, in the
        ack); anything else is acked empty and is the listener's `parsed`."""
        return wrap(listener, self.after, self.injected, acks=Acks.FIRST, read=read)

    def submission(self, listener: Listener) -> BoltListener:
        """A modal submission: the listener takes `ack` and answers in it (field errors, the
        next view); the wrapper returns once it has acked."""
        return wrap(listener, self.after, self.injected, acks=Acks.ITSELF)
