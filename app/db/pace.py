"""Sending pace: one token bucket per workspace and Web API method, in the database.

Every sender process takes tokens from the same row (locked for the instant of a claim), so
three replicas together send at the workspace's rate, not three times it. A 429 pauses the
workspace for every sender until Retry-After has passed. Time is the wall clock (the
database's on PostgreSQL): Slack counts real seconds, whatever the app clock says.

With `Learning` (scheduled DMs), the rate itself is learned in the same row: raised while
senders want more and Slack accepts, cut on a 429 (app/rules/pacing.py), so every replica
sends at what the workspace sustained, and next week starts from it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import SendPace
from app.db.sql import insert_ignoring_conflicts
from app.rules import pacing
from app.rules.pacing import Pace


@dataclass(frozen=True)
class Rate:
    per_minute: int
    burst: int | None = None  # how many may go at once; default: one second's worth

    @property
    def per_second(self) -> float:
        return self.per_minute / 60

    @property
    def capacity(self) -> float:
        """At most one second's worth saved up (Slack tolerates short bursts of posts, not a
        minute's), unless the method's tier allows a bigger burst."""
        return float(self.burst) if self.burst else max(1.0, self.per_second)


@dataclass(frozen=True)
class Bucket:
    tokens: float  # as of refilled_at
    refilled_at: datetime
    ready_at: datetime  # no send before this: the next token, or the end of a 429 pause


@dataclass(frozen=True)
class Taken:
    granted: int
    bucket: Bucket
    # With a fixed rate: when the same batch may be granted again (claiming sooner is refused).
    again_at: datetime | None = None


def fresh(now: datetime, rate: Rate) -> Bucket:
    """A bucket nothing has been taken from: one call's worth (sends start gently), or the
    whole burst where the method's tier allows one."""
    return Bucket(float(rate.burst) if rate.burst else 1.0, now, now)


def take(bucket: Bucket, rate: Rate, now: datetime, wanted: int) -> Taken:
    """Grant up to `wanted` sends from the bucket at `now`: a whole batch (as much of it as
    the bucket can hold) or nothing yet, so senders claim once per batch, not once a token."""
    if now < bucket.ready_at:
        return Taken(0, bucket)
    elapsed = max((now - bucket.refilled_at).total_seconds(), 0.0)
    tokens = min(rate.capacity, bucket.tokens + elapsed * rate.per_second)
    batch = _batch(wanted, rate)
    if tokens < batch:
        return Taken(0, Bucket(tokens, now, now + _until(batch - tokens, rate)))
    granted = min(wanted, math.floor(tokens))
    tokens -= granted
    return Taken(granted, Bucket(tokens, now, now + _until(1.0 - tokens, rate)))


def take_available(bucket: Bucket, rate: Rate, now: datetime, wanted: int) -> Taken:
    """Grant as many of `wanted` calls as the bucket holds at `now` (reads: every one that
    may go now is worth making, however few)."""
    if now < bucket.ready_at:
        return Taken(0, bucket)
    elapsed = max((now - bucket.refilled_at).total_seconds(), 0.0)
    tokens = min(rate.capacity, bucket.tokens + elapsed * rate.per_second)
    granted = min(wanted, math.floor(tokens))
    tokens -= granted
    return Taken(granted, Bucket(tokens, now, now + _until(1.0 - tokens, rate)))


def batch_ready_at(bucket: Bucket, rate: Rate, wanted: int) -> datetime:
    """When the bucket will grant a batch of `wanted` again (`take`'s whole-batch rule)."""
    short = _batch(wanted, rate) - bucket.tokens
    return max(bucket.ready_at, bucket.refilled_at + _until(short, rate))


def _batch(wanted: int, rate: Rate) -> float:
    """The tokens `take` waits for before granting `wanted`: the batch, or a full bucket."""
    return min(float(wanted), rate.capacity)


def _until(short: float, rate: Rate) -> timedelta:
    return timedelta(seconds=max(short, 0.0) / rate.per_second)


def refunded(bucket: Bucket, rate: Rate, now: datetime) -> Bucket:
    """Give back the token of a claim that sent nothing (the message was no longer needed)."""
    if now < bucket.ready_at and bucket.refilled_at > now:  # paused by a 429: stays paused
        return bucket
    elapsed = max((now - bucket.refilled_at).total_seconds(), 0.0)
    tokens = min(rate.capacity, bucket.tokens + elapsed * rate.per_second + 1.0)
    return Bucket(tokens, now, min(bucket.ready_at, now) if tokens >= 1.0 else bucket.ready_at)


def paused(bucket: Bucket, until: datetime) -> Bucket:
    """No send before `until`; then one at once and the rate after it."""
    later = max(until, bucket.ready_at)
    return Bucket(1.0, later, later)


@dataclass(frozen=True)
class Learning:
    """Learn the rate from Slack's answers: start here, never above the cap (None: none)."""

    start_per_minute: float
    cap_per_minute: float | None = None


def sending_pace(start_per_minute: int, cap_per_minute: int | None) -> tuple[Rate, Learning | None]:
    """The rate posts start at, and how it is learned (None: it is not). A cap at or below
    the start is an admin saying the rate: it stays fixed, and a 429 pauses it for
    Retry-After without cutting it (halving a rate the admin knows Slack takes would cost
    minutes for one post refused at the edge of Slack's minute). Else the rate is learned
    from Slack's answers, from the start, under the cap when there is one."""
    if cap_per_minute is not None and cap_per_minute <= start_per_minute:
        return Rate(cap_per_minute), None
    return Rate(start_per_minute), Learning(start_per_minute, cap_per_minute)


def learned_rate(pace: Pace, cap_per_minute: float | None, now: datetime) -> Rate:
    """The bucket's rate for a learned pace: under the cap, and one post at a time (no
    batches) while the workspace recovers from a 429."""
    per_minute = max(1, round(pace.limited(cap_per_minute)))
    return Rate(per_minute, burst=1 if pace.recovering(now) else None)


class Pacer:
    """The bucket rows of one transaction. Lock rows in workspace order (no deadlocks).
    `rate` is fixed, or with `learning` the rate a workspace starts at."""

    def __init__(
        self, session: AsyncSession, method: str, rate: Rate, learning: Learning | None = None
    ) -> None:
        self.session = session
        self.method = method
        self.rate = rate
        self.learning = learning

    def _rate(self, pace: Pace | None, now: datetime) -> Rate:
        if pace is None or self.learning is None:
            return self.rate
        return learned_rate(pace, self.learning.cap_per_minute, now)

    def _start(self) -> Pace | None:
        learning = self.learning
        if learning is None:
            return None
        return pacing.started(learning.start_per_minute, learning.cap_per_minute)

    async def take(self, workspace_id: int, wanted: int, now: datetime) -> Taken:
        """A whole batch of sends, or none yet (see `take`); with a fixed rate, and when the
        same batch may go again. A learned pace gives no such hint: the claims it refuses
        are what raise it (senders want more)."""
        taken = await self._taking(workspace_id, wanted, now, take)
        if self.learning is not None:
            return taken
        again = batch_ready_at(taken.bucket, self.rate, wanted)
        return dataclasses.replace(taken, again_at=again)

    async def take_available(self, workspace_id: int, wanted: int, now: datetime) -> Taken:
        """As many calls as may go now (see `take_available`)."""
        return await self._taking(workspace_id, wanted, now, take_available)

    async def _taking(
        self,
        workspace_id: int,
        wanted: int,
        now: datetime,
        rule: Callable[[Bucket, Rate, datetime, int], Taken],
    ) -> Taken:
        bucket, pace = await self._locked(workspace_id, now)
        taken = rule(bucket, self._rate(pace, now), now, wanted)
        learned = pace
        if pace is not None and self.learning is not None and taken.granted < wanted:
            # Senders want more than the pace gives: ask Slack for more (or not yet).
            learned = pacing.raised(pace, now, self.learning.cap_per_minute)
        if taken.bucket != bucket or learned != pace:
            await self._store(workspace_id, taken.bucket, learned)
        return taken

    async def refund(self, workspace_id: int, now: datetime) -> None:
        bucket, pace = await self._locked(workspace_id, now)
        await self._store(workspace_id, refunded(bucket, self._rate(pace, now), now), pace)

    async def pause(self, workspace_id: int, wait: timedelta, now: datetime) -> None:
        """Slack answered 429: nobody sends before Retry-After has passed, and a learned
        rate comes down."""
        bucket, pace = await self._locked(workspace_id, now)
        learned = pacing.cut(pace, now) if pace is not None else None
        await self._store(workspace_id, paused(bucket, now + wait), learned)

    async def pace(self, workspace_id: int, now: datetime) -> Pace | None:
        """The learned pace of this workspace and method (None: a fixed rate)."""
        return (await self._locked(workspace_id, now))[1]

    async def _locked(self, workspace_id: int, now: datetime) -> tuple[Bucket, Pace | None]:
        locked = (
            select(
                SendPace.tokens,
                SendPace.refilled_at,
                SendPace.ready_at,
                SendPace.per_minute,
                SendPace.ceiling,
                SendPace.raised_at,
                SendPace.cut_at,
            )
            .where(SendPace.workspace_id == workspace_id, SendPace.method == self.method)
            .with_for_update()
        )
        row = (await self.session.execute(locked)).one_or_none()
        if row is None:
            start = self._start()
            bucket = fresh(now, self._rate(start, now))
            values = {"workspace_id": workspace_id, "method": self.method}
            values |= {"tokens": bucket.tokens, "refilled_at": now, "ready_at": now}
            if start is not None:
                values |= {"per_minute": start.per_minute}
            await self.session.execute(insert_ignoring_conflicts(self.session, SendPace, values))
            row = (await self.session.execute(locked)).one()
        bucket = Bucket(row.tokens, row.refilled_at, row.ready_at)
        if self.learning is None:
            return bucket, None
        if row.per_minute is None:  # a row from before the pace was learned
            return bucket, self._start()
        return bucket, Pace(row.per_minute, row.ceiling, row.raised_at, row.cut_at)

    async def _store(self, workspace_id: int, bucket: Bucket, pace: Pace | None) -> None:
        values: dict[str, object] = {
            "tokens": bucket.tokens,
            "refilled_at": bucket.refilled_at,
            "ready_at": bucket.ready_at,
        }
        if pace is not None:
            values |= {
                "per_minute": pace.per_minute,
                "ceiling": pace.ceiling,
                "raised_at": pace.raised_at,
                "cut_at": pace.cut_at,
            }
        await self.session.execute(
            update(SendPace)
            .where(SendPace.workspace_id == workspace_id, SendPace.method == self.method)
            .values(values)
        )
