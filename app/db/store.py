"""Every query the app makes. The caller owns the transaction: nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Insert

from app.db.models import (
    CustomDrill,
    DealProgress,
    Delivery,
    Diagnosis,
    DirectMessage,
    DrillReport,
    EventReceipt,
    Helpfulness,
    ManagerAction,
    OneOnOne,
    Pause,
    Person,
    ScheduleStep,
    Submission,
    TransferScore,
    Workspace,
)
from app.rules.types import DeliveryStatus, Role, Step, StepTime


def rowcount(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched (its result is a CursorResult)."""
    return max(cast(CursorResult[Any], result).rowcount or 0, 0)


def _insert(session: AsyncSession, model: type) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignoring_conflicts(session: AsyncSession, model: type, values: Any) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    return _insert(session, model).values(values).on_conflict_do_nothing()


def upsert(session: AsyncSession, model: type, key: dict[str, Any], values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE: one statement, so double submissions race safely.

    `values` may hold "created_at"; it is kept from the first insert.
    """
    statement = _insert(session, model).values({**key, **values})
    changes = {name: statement.excluded[name] for name in values if name != "created_at"}
    return statement.on_conflict_do_update(index_elements=list(key), set_=changes)


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
            func.count().label("people"),
            func.max(Person.updated_at).label("changed"),
            func.max(Person.id).label("last_id"),
            func.sum(func.coalesce(Person.manager_id, 0)).label("managers"),
        ).group_by(Person.workspace_id, Person.tz, Person.role)
        return (await self.session.execute(query)).all()

    async def schedulable_people(self) -> Sequence[Any]:
        """The planner's whole input about people, as plain rows (no ORM objects), in one
        query: id, workspace, manager, role, time zone, pause."""
        query = self._schedulable(
            Person.id,
            Person.workspace_id,
            Person.manager_id,
            Person.role,
            Person.tz,
            Person.paused_until,
        ).order_by(Person.id)
        return (await self.session.execute(query)).all()

    async def person_by_id(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    # --- what managers took on (system gaps) ---------------------------------------------
    async def manager_action_of(self, person_id: int, cycle: str) -> ManagerAction | None:
        return await self.session.scalar(
            select(ManagerAction).where(
                ManagerAction.person_id == person_id, ManagerAction.cycle_week == cycle
            )
        )

    async def manager_action(self, action_id: int) -> ManagerAction | None:
        return await self.session.get(ManagerAction, action_id)

    async def open_manager_actions(self, rep_ids: Iterable[int]) -> Sequence[ManagerAction]:
        """The unresolved actions about these reps, oldest first."""
        wanted = list(set(rep_ids))
        if not wanted:
            return []
        query = (
            select(ManagerAction)
            .where(ManagerAction.person_id.in_(wanted), ManagerAction.resolved_at.is_(None))
            .order_by(ManagerAction.opened_at, ManagerAction.id)
        )
        return (await self.session.scalars(query)).all()

    async def delete(self, instance: object) -> None:
        await self.session.delete(instance)

    # --- direct messages -----------------------------------------------------------------
    async def keep_direct_message(self, values: dict[str, Any]) -> DirectMessage | None:
        """Store what someone wrote (once per message: a redelivery stores nothing)."""
        result = await self.session.execute(
            insert_ignoring_conflicts(self.session, DirectMessage, values)
        )
        if not rowcount(result):
            return None
        return await self.session.scalar(
            select(DirectMessage).where(
                DirectMessage.channel_id == values["channel_id"],
                DirectMessage.message_ts == values["message_ts"],
            )
        )

    async def direct_message(self, message_id: int) -> DirectMessage | None:
        return await self.session.get(DirectMessage, message_id)

    async def hinted_since(self, person_id: int, since: datetime) -> bool:
        """Whether coach answered chit-chat from this person with a hint since `since`."""
        found = await self.session.scalar(
            select(DirectMessage.id)
            .where(
                DirectMessage.person_id == person_id,
                DirectMessage.outcome == "hint",
                DirectMessage.received_at >= since,
            )
            .limit(1)
        )
        return found is not None

    async def sent_delivery_at(self, person_id: int, channel: str, ts: str) -> Delivery | None:
        """The scheduled DM coach posted to this person as message (channel, ts), if any."""
        return await self.session.scalar(
            select(Delivery).where(
                Delivery.person_id == person_id,
                Delivery.channel_id == channel,
                Delivery.message_ts == ts,
                Delivery.status == DeliveryStatus.SENT,
            )
        )

    async def delivered(self, person_ids: Iterable[int], kind: Step, cycle: str) -> set[int]:
        """Which of these people got their `kind` DM of `cycle` (one statement)."""
        wanted = list(set(person_ids))
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(Delivery.person_id).where(
                Delivery.person_id.in_(wanted),
                Delivery.kind == kind,
                Delivery.cycle_week == cycle,
                Delivery.status == DeliveryStatus.SENT,
            )
        )
        return set(rows.all())

    async def bot_posted(self, person_id: int, channel: str, ts: str) -> bool:
        """Whether message (channel, ts) is one coach posted into this person's own DM: a
        scheduled DM, or coach's answer to something they wrote there."""
        if await self.sent_delivery_at(person_id, channel, ts) is not None:
            return True
        answered = await self.session.scalar(
            select(DirectMessage.id).where(
                DirectMessage.person_id == person_id,
                DirectMessage.channel_id == channel,
                DirectMessage.answer_ts == ts,
            )
        )
        return answered is not None

    # --- the weekly loop's records ------------------------------------------------------
    async def _save(self, model: type, key: dict[str, Any], values: dict[str, Any]) -> Any:
        await self.session.execute(upsert(self.session, model, key, values))
        query = select(model).filter_by(**key).execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def _by_people(self, model: Any, person_ids: Iterable[int], cycle: str) -> dict[int, Any]:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = select(model).where(model.person_id.in_(wanted), model.cycle_week == cycle)
        return {row.person_id: row for row in (await self.session.scalars(query)).all()}

    async def submissions(self, person_ids: Iterable[int], cycle: str) -> dict[int, Submission]:
        return await self._by_people(Submission, person_ids, cycle)

    async def save_submission(
        self, person_id: int, cycle: str, deals: list[dict], source: str, now: datetime
    ) -> Submission:
        return await self._save(
            Submission,
            {"person_id": person_id, "cycle_week": cycle},
            {"deals": deals, "source": source, "created_at": now, "updated_at": now},
        )

    async def diagnoses(self, person_ids: Iterable[int], cycle: str) -> dict[int, Diagnosis]:
        return await self._by_people(Diagnosis, person_ids, cycle)

    async def diagnosis_history(
        self, person_ids: Iterable[int], up_to_cycle: str
    ) -> dict[int, list[Diagnosis]]:
        """Each person's diagnoses up to a cycle, newest first (cycle names sort by time)."""
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(Diagnosis)
            .where(Diagnosis.person_id.in_(wanted), Diagnosis.cycle_week <= up_to_cycle)
            .order_by(Diagnosis.person_id, Diagnosis.cycle_week.desc())
        )
        history: dict[int, list[Diagnosis]] = {}
        for row in (await self.session.scalars(query)).all():
            history.setdefault(row.person_id, []).append(row)
        return history

    async def save_diagnosis(
        self, person_id: int, cycle: str, values: dict[str, Any], now: datetime
    ) -> Diagnosis:
        return await self._save(
            Diagnosis,
            {"person_id": person_id, "cycle_week": cycle},
            {**values, "created_at": now, "updated_at": now},
        )

    async def one_on_ones(self, person_ids: Iterable[int], cycle: str) -> dict[int, OneOnOne]:
        return await self._by_people(OneOnOne, person_ids, cycle)

    async def save_one_on_one(
        self, person_id: int, cycle: str, values: dict[str, Any], now: datetime
    ) -> OneOnOne:
        return await self._save(
            OneOnOne,
            {"person_id": person_id, "cycle_week": cycle},
            {**values, "created_at": now, "updated_at": now},
        )

    async def add_drill_report(
        self, person_id: int, cycle: str, url: str, note: str | None, now: datetime
    ) -> bool:
        """Record a drill recording; False when this link was already recorded for the cycle."""
        values = {
            "person_id": person_id,
            "cycle_week": cycle,
            "url": url,
            "note": note,
            "created_at": now,
        }
        result = await self.session.execute(
            insert_ignoring_conflicts(self.session, DrillReport, values)
        )
        return bool(rowcount(result))

    async def drill_reports(
        self, person_ids: Iterable[int], cycle: str
    ) -> dict[int, list[DrillReport]]:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(DrillReport)
            .where(DrillReport.person_id.in_(wanted), DrillReport.cycle_week == cycle)
            .order_by(DrillReport.id)
        )
        reports: dict[int, list[DrillReport]] = {}
        for row in (await self.session.scalars(query)).all():
            reports.setdefault(row.person_id, []).append(row)
        return reports

    async def weeks_of(
        self, model: Any, person_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> list[Any]:
        """Every `model` row of these people from `first_cycle` to `last_cycle`, in one query."""
        wanted = list(set(person_ids))
        if not wanted:
            return []
        query = (
            select(model)
            .where(
                model.person_id.in_(wanted),
                model.cycle_week >= first_cycle,
                model.cycle_week <= last_cycle,
            )
            .order_by(model.id)
        )
        return list((await self.session.scalars(query)).all())

    async def save_helpfulness(
        self, person_id: int, cycle: str, score: int, now: datetime
    ) -> Helpfulness:
        return await self._save(
            Helpfulness,
            {"person_id": person_id, "cycle_week": cycle},
            {"score": score, "created_at": now, "updated_at": now},
        )

    async def save_deal_progress(
        self, person_id: int, cycle: str, deal_index: int, moved: bool, now: datetime
    ) -> DealProgress:
        return await self._save(
            DealProgress,
            {"person_id": person_id, "cycle_week": cycle, "deal_index": deal_index},
            {"moved": moved, "created_at": now, "updated_at": now},
        )

    async def deal_progress(self, person_ids: Iterable[int], cycle: str) -> list[DealProgress]:
        return await self.weeks_of(DealProgress, person_ids, cycle, cycle)

    async def add_pause(
        self, person_id: int, starts_on: date, ends_on: date, set_by: int | None, now: datetime
    ) -> None:
        """Record a pause; the same pause again (a resubmitted form) adds nothing."""
        same = await self.session.scalar(
            select(Pause.id).where(
                Pause.person_id == person_id, Pause.starts_on == starts_on, Pause.ends_on == ends_on
            )
        )
        if same is not None:
            return
        self.session.add(
            Pause(
                person_id=person_id,
                starts_on=starts_on,
                ends_on=ends_on,
                set_by=set_by,
                created_at=now,
            )
        )
        await self.session.flush()

    async def pauses(self, person_ids: Iterable[int]) -> list[Pause]:
        wanted = list(set(person_ids))
        if not wanted:
            return []
        query = select(Pause).where(Pause.person_id.in_(wanted)).order_by(Pause.id)
        return list((await self.session.scalars(query)).all())

    async def transfer_scores(
        self, person_ids: Iterable[int], cycle: str
    ) -> dict[int, TransferScore]:
        return await self._by_people(TransferScore, person_ids, cycle)

    async def latest_transfer_scores(
        self, person_ids: Iterable[int], up_to_cycle: str
    ) -> dict[int, TransferScore]:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = (
            select(TransferScore)
            .where(TransferScore.person_id.in_(wanted), TransferScore.cycle_week <= up_to_cycle)
            .order_by(TransferScore.person_id, TransferScore.cycle_week.desc())
        )
        latest: dict[int, TransferScore] = {}
        for row in (await self.session.scalars(query)).all():
            latest.setdefault(row.person_id, row)
        return latest

    async def save_transfer_score(
        self, person_id: int, cycle: str, score: int, author_id: int, now: datetime
    ) -> TransferScore:
        return await self._save(
            TransferScore,
            {"person_id": person_id, "cycle_week": cycle},
            {"score": score, "author_id": author_id, "created_at": now, "updated_at": now},
        )

    async def custom_drills(self, workspace_id: int) -> Sequence[CustomDrill]:
        query = select(CustomDrill).where(CustomDrill.workspace_id == workspace_id)
        return (await self.session.scalars(query.order_by(CustomDrill.name))).all()

    async def custom_drill(self, workspace_id: int, drill_id: int) -> CustomDrill | None:
        return await self.session.scalar(
            select(CustomDrill).where(
                CustomDrill.workspace_id == workspace_id, CustomDrill.id == drill_id
            )
        )
