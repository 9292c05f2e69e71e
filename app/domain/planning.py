"""Plan what is due into the delivery ledger: every replica may do it, conflicts are ignored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.db.ledger import Ledger, Planned
from app.db.models import Person, ScheduleStep
from app.db.store import Store
from app.domain import calendar
from app.domain.schedule import effective_schedule
from app.domain.types import (
    DIRECTOR_STEPS,
    MANAGER_STEPS,
    REP_STEPS,
    DeliveryStatus,
    Role,
    Step,
    StepTime,
)


def zone(name: str | None, default: str) -> ZoneInfo:
    """The person's IANA zone, or the workspace default when their profile has none."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def schedulables(
    people: Sequence[Person], overrides: Sequence[ScheduleStep], default_tz: str
) -> list[calendar.Schedulable]:
    """Who receives which steps at what local time. Pure: rows in, plans out."""
    by_id = {p.id: p for p in people}
    workspace_wide: dict[int, list[tuple[Step, StepTime]]] = {}
    per_team: dict[int, list[tuple[Step, StepTime]]] = {}
    for row in overrides:
        entry = (Step(row.step), StepTime(row.weekday, row.local_time))
        if row.manager_id is None:
            workspace_wide.setdefault(row.workspace_id, []).append(entry)
        else:
            per_team.setdefault(row.manager_id, []).append(entry)

    coaches = {
        p.manager_id
        for p in people
        if p.role is Role.REP and p.manager_id is not None and p.manager_id in by_id
    }
    directors = {
        p.manager_id
        for p in people
        if p.id in coaches and p.manager_id is not None and p.manager_id in by_id
    }
    plans = []
    for person in people:
        wanted: set[Step] = set()
        team_of = None
        if person.role is Role.REP and person.manager_id in by_id:
            wanted |= REP_STEPS
            team_of = person.manager_id
        if person.id in coaches:
            wanted |= MANAGER_STEPS
            team_of = team_of if team_of is not None else person.id
        if person.id in directors:
            wanted |= DIRECTOR_STEPS
            team_of = team_of if team_of is not None else person.id
        if team_of is None:
            continue
        schedule = effective_schedule(
            workspace_wide.get(person.workspace_id, ()), per_team.get(team_of, ())
        )
        plans.append(
            calendar.Schedulable(
                person_id=person.id,
                workspace_id=person.workspace_id,
                tz=zone(person.tz, default_tz),
                steps={step: schedule[step] for step in wanted},
                paused_until=person.paused_until,
            )
        )
    return plans


def planned_rows(due: Sequence[calendar.Due]) -> list[Planned]:
    return [
        Planned(
            workspace_id=d.workspace_id,
            person_id=d.person_id,
            kind=d.occurrence.step,
            cycle_week=d.occurrence.cycle_week,
            due_at=d.occurrence.due_at,
            expires_at=d.occurrence.expires_at,
            status=DeliveryStatus.SKIPPED if d.paused else DeliveryStatus.PENDING,
        )
        for d in due
    ]


async def plan_once(
    ledger: Ledger, person: Person, kind: Step, cycle: str, due_at: datetime, now: datetime
) -> None:
    """One message outside the weekly schedule (a snooze, a drill card): planned once per
    person, kind and cycle, so a second click or a resubmission plans nothing more."""
    await ledger.plan(
        [
            Planned(
                workspace_id=person.workspace_id,
                person_id=person.id,
                kind=kind,
                cycle_week=cycle,
                due_at=due_at,
                expires_at=due_at + calendar.MIN_WINDOW,
            )
        ],
        now,
    )


@dataclass(frozen=True)
class Schedules:
    """Everything the planner reads: who is scheduled, and with which team overrides."""

    people: Sequence[Person]
    overrides: Sequence[ScheduleStep]

    def due(self, now: datetime, default_tz: str) -> list[Planned]:
        """The rows due at `now` (pure: the database need not be held while this runs)."""
        return planned_rows(
            calendar.due_steps(schedulables(self.people, self.overrides, default_tz), now)
        )


async def read_schedules(store: Store) -> Schedules:
    return Schedules(await store.schedulable_people(), await store.all_schedule_overrides())


async def plan_due(store: Store, ledger: Ledger, now: datetime, default_tz: str) -> int:
    """Insert every step due at `now` that is not in the ledger yet; returns how many."""
    schedules = await read_schedules(store)
    return await ledger.plan(schedules.due(now, default_tz), now)
