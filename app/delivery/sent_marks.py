"""Sent marks written together: what the posts of one moment have to record goes to the
database in one write transaction (a group commit), not one each.

A send waits until its own mark is written, so nothing changes for it: when `write` returns
the row is SENT, and when the write fails the send sees the error (its row stays claimed
and, once the lease runs out, is reconciled from the DM like any interrupted send). Marks
that arrive while a write is under way go in the next one: with one send at a time each
write carries one mark and waits for nothing; with many, the writes carry many.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from app.db.ledger import SentMark

Writer = Callable[[Sequence[SentMark]], Awaitable[None]]


class SentMarks:
    """One per sending: `write(mark)` returns once `mark` (and those batched with it) are
    recorded by `writer`."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._waiting: list[tuple[SentMark, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None
        self.writes = 0  # how many writes ran (tests read it)

    async def write(self, mark: SentMark) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((mark, written))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        await asyncio.shield(written)  # a send cancelled meanwhile leaves its batch whole

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._writer([mark for mark, _ in batch])
            except asyncio.CancelledError:  # shutting down: no send waits for ever
                for _, written in batch:
                    written.cancel()
                raise
            except Exception as exc:  # every send of the batch sees its write fail
                for _, written in batch:
                    if not written.done():
                        written.set_exception(exc)
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)
            finally:
                self.writes += 1
