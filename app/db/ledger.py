"""The delivery ledger: plan rows idempotently, claim due ones with a lease, record outcomes.

Every write after a claim is fenced by (id, fence): a sender whose lease ran out and was
reclaimed by another can no longer change the row. The caller owns the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVarTuple, cast

from sqlalchemy import (
    ColumnElement,
    Interval,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Insert, Update

from app.db.base import UTCDateTime
from app.db.models import Delivery, SendPace, Workspace
from app.db.pace import Pacer
from app.db.sql import dialect_name, rowcount
from app.rules.types import DeliveryStatus, Step

# What planning writes of each row (the rest starts at 0, or the planning time).
PLANNED_COLUMNS = (
    "workspace_id",
    "person_id",
    "kind",
    "cycle_week",
    "due_at",
    "expires_at",
    "status",
    "subject_id",
)
LEASE = timedelta(seconds=60)
# The tables themselves, for the statements every message runs: built from plain table
# columns they skip the ORM's statement compilation, a third of a send's CPU otherwise.
DELIVERY = cast(Table, Delivery.__table__)
WORKSPACE = cast(Table, Workspace.__table__)

Columns = TypeVarTuple("Columns")  # a query's selected columns, kept through `_locked`
DueRow = Row[int, int, DeliveryStatus, str | None]  # id, workspace, status, last error


def wall_clock(session: AsyncSession, plus: timedelta = timedelta(0)) -> ColumnElement[datetime]:
    """Now, for leases: the database's own clock on PostgreSQL (clock_timestamp(), which moves
    inside a transaction, so an idle replica cannot freeze expiry for the others), the real
    time on SQLite. Never the app clock: a lease is about whether a sender is alive, and a
    simulated or skewed app clock must not expire a send that is still in flight."""
    if dialect_name(session) == "postgresql":
        return func.clock_timestamp() + plus if plus else func.clock_timestamp()
    return literal(datetime.now(UTC) + plus, UTCDateTime())


@dataclass(frozen=True)
class Planned:
    workspace_id: int
    person_id: int
    kind: Step
    cycle_week: str
    due_at: datetime
    expires_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    subject_id: int = 0  # the record a message is about, when there can be several a week


@dataclass(frozen=True)
class Claimed:
    id: int
    fence: int
    workspace_id: int
    person_id: int
    kind: Step
    cycle_week: str
    due_at: datetime
    attempts: int
    subject_id: int = 0  # the record the message is about (0: the person's week as a whole)
    # The last attempt may have reached Slack: its lease ran out mid-send, or it timed out or
    # got a 5xx after sending. Look for the message before posting again.
    ambiguous: bool = False


AMBIGUOUS = "ambiguous:"  # prefix of a retry reason after which the message may exist


@dataclass(frozen=True)
class SentMark:
    """A claimed delivery Slack accepted: where its message is, and when it was sent."""

    claim: Claimed
    channel_id: str
    ts: str
    at: datetime


@dataclass(frozen=True)
class Claims:
    rows: list[Claimed]
    # Claim again no sooner than this many seconds: with no rows, due rows were held back by
    # the sending pace; with rows, a fixed pace will refuse the next batch until then.
    wait_s: float | None = None


async def wall_now(session: AsyncSession) -> datetime:
    """The value of `wall_clock` now (one statement on PostgreSQL)."""
    if dialect_name(session) == "postgresql":
        stamp: datetime | None = await session.scalar(select(func.clock_timestamp()))
        if stamp is None:  # clock_timestamp() is never NULL; a driver that said so is broken
            raise RuntimeError("PostgreSQL returned no clock_timestamp()")
        return stamp.astimezone(UTC)
    return datetime.now(UTC)


class Ledger:
    def __init__(self, session: AsyncSession, *, lease: timedelta = LEASE) -> None:
        self.session = session
        self.lease = lease  # how long a claim holds before another sender may take it

    async def plan(self, rows: Sequence[Planned], now: datetime) -> int:
        """Insert rows not planned yet; a row that exists (any replica, any tick) is left as is.
        One statement whatever the number of rows; returns how many were new."""
        if not rows:
            return 0
        if dialect_name(self.session) == "postgresql":
            columns = {name: [getattr(r, name) for r in rows] for name in PLANNED_COLUMNS}
            result = await self.session.execute(_insert_unnested(columns, now))
        else:  # one executemany: SQLite's C loop over the rows, the statement compiled once
            fixed = {"attempts": 0, "fence": 0, "created_at": now}
            each = [{name: getattr(r, name) for name in PLANNED_COLUMNS} | fixed for r in rows]
            statement = sqlite_insert(Delivery).on_conflict_do_nothing()
            connection = await self.session.connection()  # Core: the rowcount of them all
            result = await connection.execute(statement, each)
        return rowcount(result)

    async def expire(self, now: datetime) -> int:
        """Rows that could not go out inside their window are skipped, never sent late."""
        result = await self.session.execute(
            update(Delivery)
            .where(
                Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                Delivery.expires_at <= now,
                or_(
                    Delivery.lease_until.is_(None), Delivery.lease_until <= wall_clock(self.session)
                ),
            )
            .values(status=DeliveryStatus.SKIPPED, error="window_passed", claimed_by=None)
        )
        return rowcount(result)

    async def claim(
        self,
        now: datetime,
        owner: str,
        limit: int,
        *,
        person_id: int | None = None,
        workspace_id: int | None = None,
        kinds: Collection[Step] | None = None,
        pacer: Pacer | None = None,
    ) -> Claims:
        """Claim up to `limit` due rows (only one person's or one workspace's, of these kinds,
        when given), within the workspaces' sending pace when a pacer is given. PostgreSQL
        skips rows other senders hold; SQLite has one writer at a time (BEGIN IMMEDIATE). With
        nothing due this is one statement."""
        due = self._due(now, person_id=person_id, workspace_id=workspace_id, kinds=kinds)
        if pacer is None:
            rows = (await self.session.execute(self._locked(due, limit))).all()
            return Claims(await self._take(rows, owner))
        # Rows of workspaces the pace holds back come last, so others go first; and when only
        # held-back rows are due, they say how long to wait.
        ready_at = SendPace.ready_at
        held = and_(ready_at.is_not(None), ready_at > wall_clock(self.session))
        paced = due.add_columns(held.label("held"), ready_at).outerjoin(
            SendPace,
            and_(SendPace.workspace_id == Delivery.workspace_id, SendPace.method == pacer.method),
        )
        rows = (await self.session.execute(self._locked(paced, limit, held))).all()
        if not rows:
            return Claims([])
        wall = await wall_now(self.session)
        free = [row for row in rows if not row.held]
        granted, ready, again = await self._paced(free, pacer, wall) if free else ([], [], [])
        if granted:
            hint = max((max(again) - wall).total_seconds(), 0.0) if again else None
            return Claims(await self._take(granted, owner), hint)
        # When each refusing bucket has its batch (as it just said), or a held one resumes.
        ready += [row.ready_at for row in rows if row.held and row.ready_at is not None]
        soonest = min(ready, default=wall)
        return Claims([], max((soonest - wall).total_seconds(), 0.0))

    @staticmethod
    def _locked(
        query: Select[*Columns], limit: int, *first: ColumnElement[bool]
    ) -> Select[*Columns]:
        """Rows in due order (after `first`), locked, skipping rows another sender holds."""
        return (
            query.order_by(*first, Delivery.due_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Delivery)
        )

    async def due_workspaces(
        self,
        now: datetime,
        *,
        person_id: int | None = None,
        kinds: Collection[Step] | None = None,
    ) -> dict[int, int]:
        """Workspace id → how many of its rows (only one person's, of these kinds, when given)
        are due at `now`, paced back or not. One statement; with nothing due, an empty dict."""
        due = self._due(now, person_id=person_id, kinds=kinds).subquery()
        query = select(due.c.workspace_id, func.count()).group_by(due.c.workspace_id)
        return {
            int(workspace): int(count)
            for workspace, count in (await self.session.execute(query)).all()
        }

    def _due(
        self,
        now: datetime,
        *,
        person_id: int | None,
        workspace_id: int | None = None,
        kinds: Collection[Step] | None,
    ) -> Select[int, int, DeliveryStatus, str | None]:
        only = [Delivery.person_id == person_id] if person_id is not None else []
        only += [Delivery.workspace_id == workspace_id] if workspace_id is not None else []
        only += [Delivery.kind.in_(sorted(kinds))] if kinds is not None else []
        return select(Delivery.id, Delivery.workspace_id, Delivery.status, Delivery.error).where(
            Delivery.due_at <= now,
            Delivery.expires_at > now,
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            or_(
                Delivery.status == DeliveryStatus.PENDING,
                and_(
                    Delivery.status == DeliveryStatus.SENDING,
                    Delivery.lease_until <= wall_clock(self.session),
                ),
            ),
            in_enabled_workspace(),
            *only,
        )

    @staticmethod
    async def _paced(
        candidates: Sequence[DueRow], pacer: Pacer, wall: datetime
    ) -> tuple[list[DueRow], list[datetime], list[datetime]]:
        """The candidates the workspaces' buckets allow now, in due order; when each bucket
        that allowed none will allow its batch; and (a fixed pace) when each that allowed
        one will allow the same batch again."""
        wanted = Counter(row.workspace_id for row in candidates)
        granted: dict[int, int] = {}
        ready: list[datetime] = []
        again: list[datetime] = []
        for workspace_id, count in sorted(wanted.items()):  # one lock order: no deadlocks
            taken = await pacer.take(workspace_id, count, wall)
            granted[workspace_id] = taken.granted
            if not taken.granted:
                ready.append(taken.bucket.ready_at)
            elif taken.again_at is not None:
                again.append(taken.again_at)
        kept = []
        for row in candidates:
            if granted[row.workspace_id] > 0:
                granted[row.workspace_id] -= 1
                kept.append(row)
        return kept, ready, again

    async def _take(self, candidates: Sequence[DueRow], owner: str) -> list[Claimed]:
        if not candidates:
            return []
        before = {row.id: row for row in candidates}
        result = await self.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(before)))
            .values(
                status=DeliveryStatus.SENDING,
                claimed_by=owner,
                lease_until=wall_clock(self.session, self.lease),
                fence=Delivery.fence + 1,
                attempts=Delivery.attempts + 1,
            )
            .returning(
                Delivery.id,
                Delivery.fence,
                Delivery.workspace_id,
                Delivery.person_id,
                Delivery.kind,
                Delivery.cycle_week,
                Delivery.due_at,
                Delivery.attempts,
                Delivery.subject_id,
            )
            .execution_options(synchronize_session=False)
        )
        claimed = []
        for row in result.all():
            old = before[row.id]
            ambiguous = old.status == DeliveryStatus.SENDING or (old.error or "").startswith(
                AMBIGUOUS
            )
            claimed.append(Claimed(**row._asdict(), ambiguous=ambiguous))
        return sorted(claimed, key=lambda c: (c.due_at, c.id))

    async def renew(self, claim: Claimed) -> bool:
        """Extend the lease just before sending; False when it was lost, or its workspace was
        disabled meanwhile (do not send)."""
        fenced = {"claim_id": claim.id, "claim_fence": claim.fence}
        if dialect_name(self.session) == "postgresql":
            result = await self.session.execute(
                _RENEW_ON_DATABASE_CLOCK, fenced | {"lease": self.lease}
            )
        else:
            now = datetime.now(UTC)
            result = await self.session.execute(
                _RENEW_AT, fenced | {"now": now, "lease_until": now + self.lease}
            )
        return bool(rowcount(result))

    async def release(self, owner: str) -> int:
        """Give back what this sender still holds at shutdown. Such a send was interrupted and
        may have reached Slack, so whoever takes it next looks before posting."""
        result = await self.session.execute(
            update(Delivery)
            .where(Delivery.claimed_by == owner, Delivery.status == DeliveryStatus.SENDING)
            .values(
                status=DeliveryStatus.PENDING,
                claimed_by=None,
                lease_until=None,
                error=f"{AMBIGUOUS}interrupted",
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def _finish(self, claim: Claimed, **values: object) -> bool:
        statement = _finish_statement(tuple(sorted(values)))
        result = await self.session.execute(statement, _finish_parameters(claim, values))
        return bool(rowcount(result))

    async def sent(self, claim: Claimed, channel_id: str, ts: str, now: datetime) -> bool:
        return await self._finish(claim, **_sent_values(SentMark(claim, channel_id, ts, now)))

    async def sent_many(self, marks: Sequence[SentMark]) -> None:
        """Record several posts at once: one statement (executemany), each row fenced as
        `sent` fences one. A mark whose lease was lost changes nothing, as with `sent`."""
        if not marks:
            return
        values = [_sent_values(mark) for mark in marks]
        each = [
            _finish_parameters(mark.claim, row) for mark, row in zip(marks, values, strict=True)
        ]
        statement = _finish_statement(tuple(sorted(values[0])))
        connection = await self.session.connection()  # Core: one executemany for them all
        await connection.execute(statement, each)

    async def written(self, claim: Claimed, now: datetime, records: int, gone: int) -> bool:
        """A CRM write-back done: `records` written, `gone` no longer in the CRM."""
        note = f"{gone} of {records + gone} records gone from the CRM" if gone else None
        return await self._finish(claim, status=DeliveryStatus.SENT, sent_at=now, error=note)

    async def cancelled(self, claim: Claimed, reason: str) -> bool:
        return await self._finish(claim, status=DeliveryStatus.CANCELLED, error=reason)

    async def failed(self, claim: Claimed, reason: str) -> bool:
        return await self._finish(claim, status=DeliveryStatus.FAILED, error=reason)

    async def retry_later(self, claim: Claimed, at: datetime, reason: str) -> bool:
        return await self._finish(
            claim, status=DeliveryStatus.PENDING, next_attempt_at=at, error=reason
        )

    async def give_back(self, claim: Claimed, reason: str | None = None) -> bool:
        """Un-claim a row this sender did not post, noting `reason` when given. If an earlier
        attempt may have posted it, say so, as its old status did."""
        note = {"error": reason} if reason else {}
        if claim.ambiguous:
            note = {"error": f"{AMBIGUOUS}{reason or 'unfinished'}"}
        # The fence held, so no one else claimed the row since: its attempts are the claim's.
        return await self._finish(
            claim, status=DeliveryStatus.PENDING, attempts=claim.attempts - 1, **note
        )

    async def rearm(
        self, person_id: int, kind: Step, cycle_week: str, due_at: datetime, expires_at: datetime
    ) -> bool:
        """Send a planned row again, whatever became of it: what it carries is composed at
        send time and has changed (a CRM write-back after the notes were edited). A sender
        holding it now can no longer finish it (the fence moves); the next claim sends the
        new state."""
        result = await self.session.execute(
            update(Delivery)
            .where(
                Delivery.person_id == person_id,
                Delivery.kind == kind,
                Delivery.cycle_week == cycle_week,
            )
            .values(
                status=DeliveryStatus.PENDING,
                fence=Delivery.fence + 1,
                due_at=due_at,
                expires_at=expires_at,
                next_attempt_at=None,
                claimed_by=None,
                lease_until=None,
                error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(rowcount(result))

    async def find(self, person_id: int, kind: Step, cycle_week: str) -> Delivery | None:
        return await self.session.scalar(
            select(Delivery).where(
                Delivery.person_id == person_id,
                Delivery.kind == kind,
                Delivery.cycle_week == cycle_week,
            )
        )


def in_enabled_workspace() -> ColumnElement[bool]:
    """Not in a workspace that is disabled (usually none are: a tiny subquery)."""
    disabled = select(WORKSPACE.c.id).where(WORKSPACE.c.active.is_(False))
    return DELIVERY.c.workspace_id.not_in(disabled)


def _fenced(statement: Update) -> Update:
    """Only the row of this claim, while no later claim has taken it (the fence moves)."""
    row = DELIVERY.c
    return statement.where(row.id == bindparam("claim_id"), row.fence == bindparam("claim_fence"))


def _renew(now: ColumnElement[datetime], until: ColumnElement[datetime]) -> Update:
    row = DELIVERY.c
    return (
        _fenced(update(DELIVERY))
        .where(row.status == DeliveryStatus.SENDING, row.lease_until > now, in_enabled_workspace())
        .values(lease_until=until)
    )


# The statements every message runs are built once, with their values bound per call:
# building and cache-keying a statement costs as much CPU as running it on SQLite.
# PostgreSQL leases run on the database's clock (see wall_clock); SQLite's on the real time.
_RENEW_ON_DATABASE_CLOCK = _renew(
    func.clock_timestamp(), func.clock_timestamp() + bindparam("lease", type_=Interval())
)
_RENEW_AT = _renew(
    bindparam("now", type_=UTCDateTime()), bindparam("lease_until", type_=UTCDateTime())
)


def _sent_values(mark: SentMark) -> dict[str, object]:
    """The columns a post Slack accepted sets."""
    return {
        "status": DeliveryStatus.SENT,
        "channel_id": mark.channel_id,
        "message_ts": mark.ts,
        "sent_at": mark.at,
        "error": None,
    }


def _finish_parameters(claim: Claimed, values: dict[str, object]) -> dict[str, object]:
    """`_finish_statement`'s parameters: the claim's fence and each column as `set_<name>`."""
    bound = {f"set_{name}": value for name, value in values.items()}
    return bound | {"claim_id": claim.id, "claim_fence": claim.fence}


@cache
def _finish_statement(columns: tuple[str, ...]) -> Update:
    """Un-claim a fenced row and set these columns, each bound as `set_<column>`."""
    values: dict[str, Any] = {"claimed_by": None, "lease_until": None}
    values |= {name: bindparam(f"set_{name}", type_=DELIVERY.c[name].type) for name in columns}
    return _fenced(update(DELIVERY)).values(values)


def _insert_unnested(columns: dict[str, list[Any]], now: datetime) -> Insert:
    """PostgreSQL: INSERT … SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING,
    a single statement with one parameter per column for any number of rows."""
    table = Delivery.__table__
    arrays = [
        bindparam(f"plan_{name}", values, type_=ARRAY(table.c[name].type))
        for name, values in columns.items()
    ]
    unnested = func.unnest(*arrays).table_valued(*columns).render_derived(name="planned")
    source = select(
        *(unnested.c[name] for name in columns),
        literal(0).label("attempts"),
        literal(0).label("fence"),
        literal(now, UTCDateTime()).label("created_at"),
    )
    names = [*columns, "attempts", "fence", "created_at"]
    return pg_insert(Delivery).from_select(names, source).on_conflict_do_nothing()
