"""Plan what is due into the delivery ledger: every replica may do it, conflicts are ignored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.db.ledger import Ledger, Planned
from app.db.models import Person, ScheduleStep, WorkCalendarRow
from app.db.store import Store
from app.rules import calendar
from app.rules.types import (
    DIRECTOR_STEPS,
    MANAGER_STEPS,
    REP_STEPS,
    DeliveryStatus,
    Role,
    Step,
    StepTime,
)
from app.rules.weekly_steps import effective_schedule
from app.rules.working_days import WorkingHours
from app.services.work_calendars import Calendars, fingerprint, working_hours


def zone(name: str | None, default: str) -> ZoneInfo:
    """The person's IANA zone, or the workspace default when their profile has none."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


class Member(Protocol):
    """What the planner reads of a person (a row of `Store.schedulable_people`)."""

    id: int
    workspace_id: int
    manager_id: int | None
    role: Role
    tz: str | None
    paused_until: date | None
    work_starts: time | None
    work_ends: time | None


def _overrides_by_scope(
    overrides: Sequence[ScheduleStep],
) -> tuple[dict[int, list[tuple[Step, StepTime]]], dict[int, list[tuple[Step, StepTime]]]]:
    """(workspace id → its workspace-wide overrides, manager id → their team's overrides)."""
    workspace_wide: dict[int, list[tuple[Step, StepTime]]] = {}
    per_team: dict[int, list[tuple[Step, StepTime]]] = {}
    for row in overrides:
        entry = (Step(row.step), StepTime(row.weekday, row.local_time))
        if row.manager_id is None:
            workspace_wide.setdefault(row.workspace_id, []).append(entry)
        else:
            per_team.setdefault(row.manager_id, []).append(entry)
    return workspace_wide, per_team


def schedulables(
    people: Sequence[Member],
    overrides: Sequence[ScheduleStep],
    default_tz: str,
    calendars: Sequence[WorkCalendarRow] = (),
) -> list[calendar.Schedulable]:
    """Who receives which steps at what local time, on which working days and hours. Pure:
    rows in, plans out."""
    work = Calendars(calendars)
    by_id = {p.id: p for p in people}
    workspace_wide, per_team = _overrides_by_scope(overrides)
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
    schedules: dict[tuple[int, int | None], dict[Step, StepTime]] = {}
    steps_of: dict[tuple[int, int | None, frozenset[Step]], dict[Step, StepTime]] = {}
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
        key = (person.workspace_id, team_of if team_of in per_team else None)
        if key not in schedules:
            schedules[key] = effective_schedule(
                workspace_wide.get(person.workspace_id, ()), per_team.get(team_of, ())
            )
        steps_key = (*key, frozenset(wanted))
        if steps_key not in steps_of:  # one mapping per team and role: due_steps reuses it
            steps_of[steps_key] = {step: schedules[key][step] for step in wanted}
        plans.append(
            calendar.Schedulable(
                person_id=person.id,
                workspace_id=person.workspace_id,
                tz=zone(person.tz, default_tz),
                steps=steps_of[steps_key],
                paused_until=person.paused_until,
                week=schedules[key],
                work=work.of(person.workspace_id, team_of),
                hours=working_hours(person.work_starts, person.work_ends),
            )
        )
    return plans


Window = tuple[int, str | None, Step, str, datetime]  # workspace, zone, step, cycle, due at


def open_windows(
    zones: Iterable[tuple[int, str | None]],
    overrides: Sequence[ScheduleStep],
    default_tz: str,
    now: datetime,
    calendars: Sequence[WorkCalendarRow] = (),
    hours: Iterable[tuple[int, str | None, WorkingHours]] = (),
) -> frozenset[Window]:
    """Every step of every schedule in use that is inside its window at `now`, per workspace
    and time zone people are in (on each team's working days, within each working hours
    kept there). Empty: nothing at all can be due, the roster need not be read. Pure, and
    small whatever the headcount (zones × schedules × calendars × hours × steps)."""
    workspace_wide, per_team = _overrides_by_scope(overrides)
    work = Calendars(calendars)
    teams_of: dict[int, set[int]] = {}
    for row in overrides:
        if row.manager_id is not None:
            teams_of.setdefault(row.workspace_id, set()).add(row.manager_id)
    hours_in: dict[tuple[int, str | None], set[WorkingHours | None]] = {}
    for workspace_id, tz, kept in hours:
        hours_in.setdefault((workspace_id, tz), set()).add(kept)
    found: set[Window] = set()
    for workspace_id, tz in set(zones):
        wide = workspace_wide.get(workspace_id, ())
        teams = teams_of.get(workspace_id, set()) | work.teams(workspace_id)
        schedules = [(effective_schedule(wide), work.of(workspace_id, None))] + [
            (effective_schedule(wide, per_team.get(team, ())), work.of(workspace_id, team))
            for team in teams
        ]
        for schedule, days in schedules:
            for limit in {None} | hours_in.get((workspace_id, tz), set()):
                for o in calendar.open_occurrences(
                    schedule, zone(tz, default_tz), now, week=schedule, work=days, hours=limit
                ):
                    found.add((workspace_id, tz, o.step, o.cycle_week, o.due_at))
    return frozenset(found)


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
    ledger: Ledger,
    person: Person,
    kind: Step,
    cycle: str,
    due_at: datetime,
    now: datetime,
    *,
    subject_id: int = 0,
) -> None:
    """One message outside the weekly schedule (a snooze, a drill card, a coaching review):
    planned once per person, kind, cycle and subject (the record it is about, when a week can
    have several), so a second click or a resubmission plans nothing more."""
    await ledger.plan(
        [
            Planned(
                workspace_id=person.workspace_id,
                person_id=person.id,
                kind=kind,
                cycle_week=cycle,
                due_at=due_at,
                expires_at=due_at + calendar.MIN_WINDOW,
                subject_id=subject_id,
            )
        ],
        now,
    )


# A planner that saw the same windows and the same roster plans nothing new; it still reads
# the roster this often, in case a change slipped past the roster's fingerprint. The shape
# of the roster (zones, overrides, calendars) is kept as long as the setup stamp stays put,
# and read again this often too: a write that bypassed the ORM's sessions moves no stamp.
REREAD_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class PlanStamp:
    """What a plan was made from: the open windows and a fingerprint of who is scheduled how
    (the setup stamp; per workspace and zone: headcount, latest change, highest id; and every
    override)."""

    windows: frozenset[Window]
    roster: tuple[object, ...]
    read_at: datetime

    def covers(self, later: PlanStamp) -> bool:
        """Whether planning again at `later` could only insert what this plan already did."""
        return (
            self.windows == later.windows
            and self.roster == later.roster
            and later.read_at - self.read_at < REREAD_EVERY
        )


@dataclass(frozen=True)
class Shape:
    """What the planner reads besides the people themselves, as of setup stamp `version`
    (None: unknown), read at `read_at`: who is in which zone and working hours (counted, not
    listed), the team overrides and the holiday calendars. Small whatever the headcount."""

    version: int | None
    zones: Sequence[Any]
    overrides: Sequence[ScheduleStep]
    calendars: Sequence[WorkCalendarRow]
    read_at: datetime

    def holds(self, version: int | None, now: datetime) -> bool:
        """Whether this shape may stand for the roster at `now`, the stamp reading `version`."""
        age = now - self.read_at
        return (
            version is not None and version == self.version and timedelta(0) <= age < REREAD_EVERY
        )

    def windows(self, now: datetime, default_tz: str) -> frozenset[Window]:
        hours = [
            (z.workspace_id, z.tz, kept)
            for z in self.zones
            if (kept := working_hours(z.work_starts, z.work_ends)) is not None
        ]
        zones = ((z.workspace_id, z.tz) for z in self.zones)
        return open_windows(zones, self.overrides, default_tz, now, self.calendars, hours)

    def roster(self) -> tuple[object, ...]:
        return (
            self.version,
            tuple(sorted(tuple(map(str, z)) for z in self.zones)),
            tuple(
                sorted(
                    (o.workspace_id, o.manager_id or 0, o.step, o.weekday, str(o.local_time))
                    for o in self.overrides
                )
            ),
            fingerprint(self.calendars),
        )


@dataclass(frozen=True)
class Schedules:
    """Everything the planner reads: who is scheduled, with which team overrides and on
    which holiday calendars."""

    people: Sequence[Member]
    overrides: Sequence[ScheduleStep]
    stamp: PlanStamp | None = None
    calendars: Sequence[WorkCalendarRow] = ()
    shape: Shape | None = None

    def due(self, now: datetime, default_tz: str) -> list[Planned]:
        """The rows due at `now` (pure: the database need not be held while this runs)."""
        plans = schedulables(self.people, self.overrides, default_tz, self.calendars)
        return planned_rows(calendar.due_steps(plans, now))


async def read_shape(store: Store, version: int | None, now: datetime) -> Shape:
    """The roster's shape: three small statements, whatever the headcount."""
    zones = await store.schedulable_zones()
    overrides = await store.all_schedule_overrides()
    calendars = await store.work_calendars()
    return Shape(version, zones, overrides, calendars, now)


async def read_schedules(
    store: Store,
    now: datetime,
    default_tz: str,
    planned: PlanStamp | None = None,
    *,
    known: Shape | None = None,
    version: int | None = None,
) -> Schedules:
    """What to plan from at `now`. The roster's shape is read unless `known` still holds
    (the setup stamp reads `version`, and it is recent); the roster itself only when some
    window is open and the last plan (`planned`, when given) does not already cover it. No
    statement at all, then, when the setup stayed put."""
    shape = known if known is not None and known.holds(version, now) else None
    shape = shape or await read_shape(store, version, now)
    windows = shape.windows(now, default_tz)
    stamp = PlanStamp(windows, shape.roster(), now)
    overrides, calendars = shape.overrides, shape.calendars
    if not windows:  # nothing can be due
        return Schedules((), overrides, stamp, calendars, shape)
    if planned is not None and planned.covers(stamp):  # planned already: keep that stamp
        return Schedules((), overrides, None, calendars, shape)
    return Schedules(await store.schedulable_people(), overrides, stamp, calendars, shape)


async def plan_due(store: Store, ledger: Ledger, now: datetime, default_tz: str) -> int:
    """Insert every step due at `now` that is not in the ledger yet; returns how many."""
    schedules = await read_schedules(store, now, default_tz)
    return await ledger.plan(schedules.due(now, default_tz), now)
