"""Sending pace: one token bucket per workspace and Web API method, in the database.

Every sender process takes tokens from the same row (locked for the instant of a claim), so
three replicas together send at the workspace's rate, not three times it. A 429 pauses the
workspace for every sender until Retry-After has passed. Time is the wall clock (the
database's on PostgreSQL): Slack counts real seconds, whatever the app clock says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import SendPace
from app.db.sql import insert_ignoring_conflicts


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
    batch = min(float(wanted), rate.capacity)
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


class Pacer:
    """The bucket rows of one transaction. Lock rows in workspace order (no deadlocks)."""

    def __init__(self, session: AsyncSession, method: str, rate: Rate) -> None:
        self.session = session
        self.method = method
        self.rate = rate

    async def take(self, workspace_id: int, wanted: int, now: datetime) -> Taken:
        """A whole batch of sends, or none yet (see `take`)."""
        return await self._taking(workspace_id, wanted, now, take)

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
        bucket = await self._locked(workspace_id, now)
        taken = rule(bucket, self.rate, now, wanted)
        if taken.bucket != bucket:
            await self._store(workspace_id, taken.bucket)
        return taken

    async def refund(self, workspace_id: int, now: datetime) -> None:
        bucket = await self._locked(workspace_id, now)
        await self._store(workspace_id, refunded(bucket, self.rate, now))

    async def pause(self, workspace_id: int, wait: timedelta, now: datetime) -> None:
        bucket = await self._locked(workspace_id, now)
        await self._store(workspace_id, paused(bucket, now + wait))

    async def _locked(self, workspace_id: int, now: datetime) -> Bucket:
        locked = (
            select(SendPace.tokens, SendPace.refilled_at, SendPace.ready_at)
            .where(SendPace.workspace_id == workspace_id, SendPace.method == self.method)
            .with_for_update()
        )
        row = (await self.session.execute(locked)).one_or_none()
        if row is None:
            start = fresh(now, self.rate)
            values = {"workspace_id": workspace_id, "method": self.method}
            values |= {"tokens": start.tokens, "refilled_at": now, "ready_at": now}
            await self.session.execute(insert_ignoring_conflicts(self.session, SendPace, values))
            row = (await self.session.execute(locked)).one()
        return Bucket(row.tokens, row.refilled_at, row.ready_at)

    async def _store(self, workspace_id: int, bucket: Bucket) -> None:
        await self.session.execute(
            update(SendPace)
            .where(SendPace.workspace_id == workspace_id, SendPace.method == self.method)
            .values(tokens=bucket.tokens, refilled_at=bucket.refilled_at, ready_at=bucket.ready_at)
        )
