"""What the bot does after an ack: it waits while other requests wait for theirs.

A process answers Slack on one event loop, and Slack gives every request 3 s. Every
millisecond spent after an ack (reading the database, rendering an answer or an App Home) is a
millisecond a request still waiting for its ack does not get. So work after an ack asks for a
turn, and turns are handed out in the order asked:

- only while no request is between arriving and being answered, and none was answered in the
  last `quiet_s` (requests of a burst reach the app one by one: a gap of a millisecond between
  two of them is not the end of the burst), or once the work has waited `max_wait_s` (a
  steady stream of requests, or one that never finishes arriving, delays the work by that
  much at most, never starves it);
- to at most `turns` pieces of work at once (work that has started shares the loop with the
  requests that arrive meanwhile, so few at a time keeps their acks near the front).

One waiter is woken per turn, never the whole queue. The web layer counts the requests
(`acking`); listeners (`app.slack.runtime.listener_wrapper`)
and the App Home refresher take turns. The work
itself runs in tasks started here (`start`), so tests can wait for it and a stopping server can
let it finish (`settled`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TURNS = 2
DEFAULT_MAX_WAIT_S = 0.5
# After the last answer: longer than the gaps inside a burst. On two busy cores a burst's
# requests arrived more than 20 ms apart often enough to put work after acks ahead of the last
# ones (bench/ack_latency.py: p99 1.34x bare bolt's at 20 ms, 0.92x at 100 ms); the work it
# delays (an answer on a response_url, a modal) is a few hundred ms away from the person anyway.
DEFAULT_QUIET_S = 0.1


class AfterAck:
    def __init__(
        self,
        turns: int = DEFAULT_TURNS,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        quiet_s: float = DEFAULT_QUIET_S,
    ):
        if turns < 1:
            raise ValueError("at least one turn is needed, or work after an ack never runs")
        self.max_wait_s = max_wait_s
        self.quiet_s = quiet_s
        self._free = turns
        self._unanswered = 0  # requests that arrived and have no HTTP answer yet
        self._quiet_at = 0.0  # loop time: `quiet_s` after the last answer
        self._waiting: deque[tuple[float, asyncio.Future[None]]] = deque()  # (deadline, turn)
        self._timer: asyncio.TimerHandle | None = None
        self._work: set[asyncio.Task[None]] = set()

    @property
    def unanswered(self) -> int:
        return self._unanswered

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        """Around one request from Slack, from its arrival to its HTTP answer."""
        self._unanswered += 1
        try:
            yield
        finally:
            self._unanswered -= 1
            self._quiet_at = asyncio.get_running_loop().time() + self.quiet_s
            self._hand_out()

    def _busy(self, now: float) -> bool:
        """A request waits for its answer, or the last one was answered moments ago."""
        return bool(self._unanswered) or now < self._quiet_at

    # --- turns ------------------------------------------------------------------------
    async def take_turn(self) -> None:
        """Wait for a turn (see the module docstring); `give_back()` once the work is done."""
        loop = asyncio.get_running_loop()
        if self._free and not self._busy(loop.time()) and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = loop.create_future()
        self._waiting.append((loop.time() + self.max_wait_s, turn))
        self._hand_out()
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # granted as we were cancelled
                self.give_back()
            raise

    def give_back(self) -> None:
        self._free += 1
        self._hand_out()

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.take_turn()
        try:
            yield
        finally:
            self.give_back()

    def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._free and self._waiting:
            deadline, turn = self._waiting[0]
            if turn.done():  # its waiter was cancelled
                self._waiting.popleft()
                continue
            if self._busy(now) and deadline > now:
                break
            self._waiting.popleft()
            self._free -= 1
            turn.set_result(None)
        self._wake_at_deadline(loop)

    def _wake_at_deadline(self, loop: asyncio.AbstractEventLoop) -> None:
        """While requests keep the queue waiting, come back when its head has waited enough,
        or when the quiet after the last answer ends (if nothing is unanswered by then)."""
        wanted = self._waiting[0][0] if self._free and self._waiting else None
        if wanted is not None and not self._unanswered and self._quiet_at > loop.time():
            wanted = min(wanted, self._quiet_at)
        if self._timer is not None and self._timer.when() == wanted:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if wanted is not None:
            self._timer = loop.call_at(wanted, self._on_deadline)

    def _on_deadline(self) -> None:
        self._timer = None
        self._hand_out()

    # --- the work's tasks ---------------------------------------------------------------
    def start(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run `work` in a task kept until it ends. It should catch what it expects; anything
        else is logged here (ids only: the task's name)."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._work.add(task)
        task.add_done_callback(self._ended)
        return task

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._work.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("work after an ack failed: %s", task.get_name(), exc_info=task.exception())

    @property
    def running(self) -> int:
        return len(self._work)

    @property
    def at_work(self) -> list[str]:
        """The names of the work started and not ended (ids only), in name order."""
        return sorted(task.get_name() for task in self._work)

    async def settled(self, timeout_s: float) -> bool:
        """Wait until no work is left, work started meanwhile included; False if some is still
        running after `timeout_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._work:
            left = deadline - loop.time()
            if left <= 0:
                return False
            await asyncio.wait(set(self._work), timeout=left)
        return True
