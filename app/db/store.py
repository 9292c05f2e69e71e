"""Every query the app makes. The caller owns the transaction: nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Insert

from app.db.models import EventReceipt, Person, ScheduleStep, Workspace
from app.domain.types import Role, Step, StepTime


def insert_ignoring_conflicts(session: AsyncSession, model: type, values: Any) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return builder(model).values(values).on_conflict_do_nothing()


class Store:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- workspaces -------------------------------------------------------------------
    async def workspace_by_team(self, team_id: str) -> Workspace | None:
        return await self.session.scalar(select(Workspace).where(Workspace.team_id == team_id))

    async def ensure_workspace(self, team_id: str, now: datetime) -> Workspace:
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session, Workspace, {"team_id": team_id, "created_at": now, "active": True}
            )
        )
        workspace = await self.workspace_by_team(team_id)
        assert workspace is not None
        return workspace

    async def workspaces(self) -> Sequence[Workspace]:
        return (await self.session.scalars(select(Workspace).order_by(Workspace.id))).all()

    # --- people -----------------------------------------------------------------------
    async def person(self, workspace_id: int, slack_user_id: str) -> Person | None:
        return await self.session.scalar(
            select(Person).where(
                Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
            )
        )

    async def people(self, workspace_id: int, *, active_only: bool = True) -> Sequence[Person]:
        query = select(Person).where(Person.workspace_id == workspace_id)
        if active_only:
            query = query.where(Person.active.is_(True))
        return (await self.session.scalars(query.order_by(Person.id))).all()

    async def people_by_ids(self, ids: Iterable[int]) -> Sequence[Person]:
        wanted = list(set(ids))
        if not wanted:
            return []
        return (await self.session.scalars(select(Person).where(Person.id.in_(wanted)))).all()

    async def reports_of(self, manager_ids: Iterable[int]) -> Sequence[Person]:
        wanted = list(set(manager_ids))
        if not wanted:
            return []
        query = (
            select(Person)
            .where(Person.manager_id.in_(wanted), Person.active.is_(True))
            .order_by(Person.manager_id, Person.slack_user_id)
        )
        return (await self.session.scalars(query)).all()

    async def role_counts(self, workspace_id: int) -> dict[Role, int]:
        rows = await self.session.execute(
            select(Person.role, func.count())
            .where(Person.workspace_id == workspace_id, Person.active.is_(True))
            .group_by(Person.role)
        )
        return {Role(role): count for role, count in rows.all()}

    async def admins(self, workspace_id: int) -> Sequence[Person]:
        query = select(Person).where(
            Person.workspace_id == workspace_id,
            Person.role == Role.ADMIN,
            Person.active.is_(True),
        )
        return (await self.session.scalars(query.order_by(Person.id))).all()

    def add(self, instance: object) -> None:
        self.session.add(instance)

    async def flush(self) -> None:
        await self.session.flush()

    # --- schedule ---------------------------------------------------------------------
    async def schedule_overrides(
        self, workspace_id: int, manager_id: int | None
    ) -> list[tuple[Step, StepTime]]:
        query = select(ScheduleStep).where(ScheduleStep.workspace_id == workspace_id)
        if manager_id is None:
            query = query.where(ScheduleStep.manager_id.is_(None))
        else:
            query = query.where(ScheduleStep.manager_id == manager_id)
        rows = (await self.session.scalars(query)).all()
        return [(Step(row.step), StepTime(row.weekday, row.local_time)) for row in rows]

    # --- inbound events ---------------------------------------------------------------
    async def claim_event(self, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen (in this transaction's view)."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session, EventReceipt, {"event_id": event_id, "received_at": now}
            )
        )
        return bool(result.rowcount)
