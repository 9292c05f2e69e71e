"""Read-only questions about the delivery ledger for the admin's status report.

Two statements whatever the size of the workspace: one aggregate for the week's counts and
one bounded list (with its full length from a window count) for what did not arrive.
The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Delivery, Person
from app.rules.types import CRM_WRITES, DeliveryStatus, Step


@dataclass(frozen=True)
class Undelivered:
    """A scheduled DM that failed, or was skipped for a reason (a paused person's is not)."""

    slack_user_id: str
    tz: str | None
    kind: Step
    status: DeliveryStatus
    error: str | None
    due_at: datetime


async def week_counts(
    session: AsyncSession, workspace_id: int, cycle_week: str
) -> dict[tuple[DeliveryStatus, bool], int]:
    """How many of the workspace's messages of `cycle_week` are in each state, split by
    whether the row carries a reason (a skip with none is a paused person's). The CRM's
    write-backs are counted by `crm_write_counts`."""
    has_reason = Delivery.error.is_not(None)
    rows = await session.execute(
        select(Delivery.status, has_reason, func.count())
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.cycle_week == cycle_week,
            Delivery.kind.not_in(CRM_WRITES),
        )
        .group_by(Delivery.status, has_reason)
    )
    return {(DeliveryStatus(status), bool(reason)): count for status, reason, count in rows}


async def undelivered(
    session: AsyncSession, workspace_id: int, since: datetime, limit: int
) -> tuple[list[Undelivered], int]:
    """The newest `limit` failed or skipped deliveries due since `since`, and how many there
    are in all."""
    rows = (
        await session.execute(
            select(
                Person.slack_user_id,
                Person.tz,
                Delivery.kind,
                Delivery.status,
                Delivery.error,
                Delivery.due_at,
                func.count().over().label("total"),
            )
            .join(Person, Person.id == Delivery.person_id)
            .where(
                Delivery.workspace_id == workspace_id,
                Delivery.due_at >= since,
                or_(
                    Delivery.status == DeliveryStatus.FAILED,
                    and_(Delivery.status == DeliveryStatus.SKIPPED, Delivery.error.is_not(None)),
                ),
            )
            .order_by(Delivery.due_at.desc(), Delivery.id.desc())
            .limit(limit)
        )
    ).all()
    found = [Undelivered(*row[:6]) for row in rows]
    return found, (int(rows[0].total) if rows else 0)


async def crm_write_counts(
    session: AsyncSession, workspace_id: int, since: datetime
) -> dict[DeliveryStatus, int]:
    """How many of the workspace's CRM write-backs planned since `since` are in each state."""
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.kind.in_(CRM_WRITES),
            Delivery.due_at >= since,
        )
        .group_by(Delivery.status)
    )
    return {DeliveryStatus(status): count for status, count in rows}
