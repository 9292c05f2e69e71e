"""Queries about workspaces, people, their profiles and their teams' schedules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from app.db.models import (
    EventReceipt,
    Person,
    ScheduleStep,
    WorkCalendarRow,
    Workspace,
)
from app.db.sql import Queries, insert_ignoring_conflicts, rowcount
from app.rules.types import Role, Step, StepTime


class PeopleQueries(Queries):
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

    async def disable_workspace(self, workspace_id: int, reason: str, now: datetime) -> bool:
        """Stop planning and sending in a workspace whose token Slack refuses. True only for
        the call that disabled it (so the alert is raised once)."""
        result = await self.session.execute(
            update(Workspace)
            .where(Workspace.id == workspace_id, Workspace.active.is_(True))
            .values(active=False, disabled_reason=reason[:64], disabled_at=now)
        )
        return bool(rowcount(result))

    async def enable_workspace(self, team_id: str) -> bool:
        """A working token is back (a new install, or a new SLACK_BOT_TOKEN): resume."""
        result = await self.session.execute(
            update(Workspace)
            .where(Workspace.team_id == team_id, Workspace.disabled_reason.is_not(None))
            .values(active=True, disabled_reason=None, disabled_at=None)
        )
        return bool(rowcount(result))

    async def disabled_teams(self) -> Sequence[str]:
        return (
            await self.session.scalars(
                select(Workspace.team_id).where(Workspace.disabled_reason.is_not(None))
            )
        ).all()

    async def workspace_active(self, workspace_id: int) -> bool:
        return bool(
            await self.session.scalar(select(Workspace.active).where(Workspace.id == workspace_id))
        )

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

    async def counted_reports_of(self, manager_ids: Iterable[int]) -> Sequence[Person]:
        """`reports_of`, and the people erased while they reported to these managers:
        anonymous, and still counted in their team's figures for the weeks they were there."""
        wanted = list(set(manager_ids))
        if not wanted:
            return []
        query = (
            select(Person)
            .where(
                Person.manager_id.in_(wanted),
                or_(Person.active.is_(True), Person.erased_at.is_not(None)),
            )
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

    async def save_schedule_step(
        self, workspace_id: int, manager_id: int | None, step: Step, when: StepTime
    ) -> None:
        """Set when a step fires for a team (or, with manager_id None, the workspace)."""
        owner = (
            ScheduleStep.manager_id.is_(None)
            if manager_id is None
            else ScheduleStep.manager_id == manager_id
        )
        row = await self.session.scalar(
            select(ScheduleStep).where(
                ScheduleStep.workspace_id == workspace_id, owner, ScheduleStep.step == step
            )
        )
        if row is None:
            row = ScheduleStep(workspace_id=workspace_id, manager_id=manager_id, step=step)
            self.session.add(row)
        row.weekday, row.local_time = when.weekday, when.at
        await self.session.flush()

    async def work_calendars(self, workspace_id: int | None = None) -> Sequence[WorkCalendarRow]:
        """Every holiday calendar kept (of one workspace, when given): a row or two a team."""
        query = select(WorkCalendarRow).order_by(WorkCalendarRow.id)
        if workspace_id is not None:
            query = query.where(WorkCalendarRow.workspace_id == workspace_id)
        return (await self.session.scalars(query)).all()

    async def work_calendar_row(
        self, workspace_id: int, manager_id: int | None, now: datetime
    ) -> WorkCalendarRow:
        """The calendar row of a team (or, with manager_id None, the workspace), made when
        there is none yet (a team's new row keeps the workspace's country)."""
        owner = (
            WorkCalendarRow.manager_id.is_(None)
            if manager_id is None
            else WorkCalendarRow.manager_id == manager_id
        )
        row = await self.session.scalar(
            select(WorkCalendarRow).where(WorkCalendarRow.workspace_id == workspace_id, owner)
        )
        if row is None:
            row = WorkCalendarRow(
                workspace_id=workspace_id, manager_id=manager_id, days_off=[], updated_at=now
            )
            self.session.add(row)
            await self.session.flush()
        return row

    # --- inbound events ---------------------------------------------------------------
    async def claim_event(self, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen (in this transaction's view)."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session, EventReceipt, {"event_id": event_id, "received_at": now}
            )
        )
        return bool(rowcount(result))

    async def all_schedule_overrides(
        self, workspace_id: int | None = None
    ) -> Sequence[ScheduleStep]:
        """Every override (of one workspace, when given)."""
        query = select(ScheduleStep)
        if workspace_id is not None:
            query = query.where(ScheduleStep.workspace_id == workspace_id)
        return (await self.session.scalars(query)).all()

    def _schedulable(self, *columns: Any) -> Any:
        """Active people of active workspaces whose Slack profile coach has asked for at least
        once: who the planner schedules (nobody is planned at a guessed time zone while their
        profile could still tell the real one)."""
        return (
            select(*columns)
            .join(Workspace, Workspace.id == Person.workspace_id)
            .where(
                Person.active.is_(True),
                Workspace.active.is_(True),
                Person.profile_checked_at.is_not(None),
            )
        )

    async def profiles_to_read(
        self, stale_before: datetime, retry_before: datetime, transient: Iterable[str], limit: int
    ) -> Sequence[Any]:
        """Active people of active workspaces whose profile was never asked for, was read
        before `stale_before`, or failed for a passing reason before `retry_before`: never
        asked first, then the oldest. One statement (an index on profile_checked_at)."""
        checked = Person.profile_checked_at
        query = (
            select(Person.id, Person.workspace_id, Person.slack_user_id)
            .join(Workspace, Workspace.id == Person.workspace_id)
            .where(
                Person.active.is_(True),
                Workspace.active.is_(True),
                or_(
                    checked.is_(None),
                    checked < stale_before,
                    and_(Person.profile_error.in_(list(transient)), checked < retry_before),
                ),
            )
            .order_by(checked.is_not(None), checked, Person.id)
            .limit(limit)
        )
        return (await self.session.execute(query)).all()

    async def profile_problems(self, workspace_id: int, limit: int) -> tuple[Sequence[Person], int]:
        """Up to `limit` active people whose Slack profile coach has not read (yet, or at
        all), and how many there are in all."""
        unread = (
            Person.workspace_id == workspace_id,
            Person.active.is_(True),
            or_(Person.profile_checked_at.is_(None), Person.profile_error.is_not(None)),
        )
        query = (
            select(Person, func.count().over().label("total"))
            .where(*unread)
            .order_by(Person.slack_user_id)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        return [row[0] for row in rows], int(rows[0].total) if rows else 0

    async def schedulable_zones(self) -> Sequence[Any]:
        """Per workspace, time zone and role of the people the planner schedules: how many,
        their latest change, highest id and the sum of their managers' ids. Small whatever the
        headcount, and it changes when someone joins, leaves, moves team or is edited (even
        at the same instant as another edit); one statement."""
        query = self._schedulable(
            Person.workspace_id,
            Person.tz,
            Person.role,
            Person.work_starts,
            Person.work_ends,
            func.count().label("people"),
            func.max(Person.updated_at).label("changed"),
            func.max(Person.id).label("last_id"),
            func.sum(func.coalesce(Person.manager_id, 0)).label("managers"),
        ).group_by(
            Person.workspace_id, Person.tz, Person.role, Person.work_starts, Person.work_ends
        )
        return (await self.session.execute(query)).all()

    async def schedulable_people(self) -> Sequence[Any]:
        """The planner's whole input about people, as plain rows (no ORM objects), in one
        query: id, workspace, manager, role, time zone, pause, working hours."""
        query = self._schedulable(
            Person.id,
            Person.workspace_id,
            Person.manager_id,
            Person.role,
            Person.tz,
            Person.paused_until,
            Person.work_starts,
            Person.work_ends,
        ).order_by(Person.id)
        return (await self.session.execute(query)).all()

    async def person_by_id(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)
