"""Sent marks written together (app/delivery/sent_marks.py): the marks of posts that end
while a write is under way share the next write; each send returns once its own mark is
written, and sees the error when its write fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from app.db.ledger import Claimed, SentMark
from app.delivery.sent_marks import SentMarks
from app.rules.types import Step

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def mark(delivery_id: int) -> SentMark:
    claim = Claimed(delivery_id, 1, 1, delivery_id, Step.REP_PROMPT, "2026-W48", AT, 1)
    return SentMark(claim, f"D{delivery_id}", f"1.{delivery_id}", AT)


class SlowWriter:
    """Records each write's delivery ids; a write takes until `release` is set."""

    def __init__(self, fail: bool = False) -> None:
        self.writes: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail = fail

    async def __call__(self, marks: Sequence[SentMark]) -> None:
        self.writes.append([m.claim.id for m in marks])
        await self.release.wait()
        if self.fail:
            raise RuntimeError("database is locked")


async def test_marks_that_arrive_during_a_write_share_the_next_one() -> None:
    writer = SlowWriter()
    marks = SentMarks(writer)
    first = asyncio.create_task(marks.write(mark(1)))
    await asyncio.sleep(0)  # the first write starts, with only its own mark
    others = [asyncio.create_task(marks.write(mark(n))) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    assert writer.writes == [[1]] and not first.done()  # nobody returns before its write
    writer.release.set()
    await asyncio.gather(first, *others)
    assert writer.writes == [[1], [2, 3, 4]]
    assert marks.writes == 2


async def test_a_lone_mark_is_written_at_once_on_its_own() -> None:
    writer = SlowWriter()
    writer.release.set()
    marks = SentMarks(writer)
    await marks.write(mark(1))
    await marks.write(mark(2))
    assert writer.writes == [[1], [2]]


async def test_every_send_of_a_failed_write_sees_the_error_and_later_ones_still_write() -> None:
    writer = SlowWriter(fail=True)
    marks = SentMarks(writer)
    sends = [asyncio.create_task(marks.write(mark(n))) for n in (1, 2)]
    await asyncio.sleep(0)
    writer.release.set()
    results = await asyncio.gather(*sends, return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    writer.fail = False
    await marks.write(mark(3))
    assert writer.writes[-1] == [3]


async def test_a_send_cancelled_while_waiting_leaves_its_batch_written() -> None:
    writer = SlowWriter()
    marks = SentMarks(writer)
    cancelled = asyncio.create_task(marks.write(mark(1)))
    kept = asyncio.create_task(marks.write(mark(2)))
    await asyncio.sleep(0)
    cancelled.cancel()
    writer.release.set()
    await kept
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert writer.writes == [[1, 2]]
