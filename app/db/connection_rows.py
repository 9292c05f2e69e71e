"""What every outside system's connection row has (the call recorder's, the CRM's): whose
it is, how the last calls went, and which replica is syncing it now; and the queries on
those columns, written once for any such table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ForeignKey, String, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import UTCDateTime
from app.db.sql import insert_ignoring_conflicts, rowcount
from app.rules.types import ConnectionStatus


class OutsideConnection:
    """Columns of a workspace's connection to an outside system (a mixin for its table)."""

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    provider: Mapped[str] = mapped_column(String(16))  # gong | salesforce | hubspot
    # Which credentials the status below is about (a digest, never the key): new
    # credentials clear a refusal.
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # a ConnectionStatus
    problem: Mapped[str | None] = mapped_column(String(64))  # why, as a short code
    problem_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # after a failure
    sync_owner: Mapped[str | None] = mapped_column(String(64))  # the replica syncing now
    sync_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


RowT = TypeVar("RowT", bound=OutsideConnection)


class ConnectionRows(Generic[RowT]):
    """The connection rows of one table. The caller owns the transaction."""

    def __init__(self, session: AsyncSession, table: type[RowT]) -> None:
        self.session = session
        self.table = table

    async def get(self, workspace_id: int) -> RowT | None:
        return await self.session.get(self.table, workspace_id, populate_existing=True)

    async def all(self) -> list[RowT]:
        query = select(self.table).order_by(self.table.workspace_id)
        return list((await self.session.scalars(query)).all())

    async def ensure(self, workspace_id: int, provider: str, now: datetime) -> RowT:
        values = {
            "workspace_id": workspace_id,
            "provider": provider,
            "status": ConnectionStatus.UNCHECKED,
            "updated_at": now,
        }
        await self.session.execute(insert_ignoring_conflicts(self.session, self.table, values))
        row = await self.get(workspace_id)
        assert row is not None
        return row

    async def update(self, workspace_id: int, now: datetime, **values: Any) -> None:
        await self.session.execute(
            update(self.table)
            .where(self.table.workspace_id == workspace_id)
            .values(updated_at=now, **values)
        )

    async def claim(self, workspace_id: int, owner: str, until: datetime, now: datetime) -> bool:
        """Take the workspace's sync for `owner` until `until` (one replica at a time)."""
        table = self.table
        result = await self.session.execute(
            update(table)
            .where(
                table.workspace_id == workspace_id,
                or_(
                    table.sync_lease_until.is_(None),
                    table.sync_lease_until <= now,
                    table.sync_owner == owner,
                ),
            )
            .values(sync_owner=owner, sync_lease_until=until)
        )
        return rowcount(result) == 1

    async def release(self, workspace_id: int, owner: str) -> None:
        table = self.table
        await self.session.execute(
            update(table)
            .where(table.workspace_id == workspace_id, table.sync_owner == owner)
            .values(sync_owner=None, sync_lease_until=None)
        )
