"""Holidays and working hours: who may choose them, the change itself, and how each team's
calendar is read (the rule of what moves is app/rules/working_days.py).

A workspace's calendar is the admin's; a team's own (which replaces the workspace's country,
and adds its days off to the workspace's) is its manager's, its director's or an admin's. A
person's working hours are their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from app.db.models import Person, WorkCalendarRow
from app.db.store import Store
from app.rules import calendar
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role, Step, StepTime
from app.rules.working_days import (
    MAX_DAYS_OFF,
    NO_HOLIDAYS,
    WorkCalendar,
    WorkingHours,
    check_region,
    step_days,
)
from app.services.people import Actor
from app.services.team_schedules import LEADS, team_schedule

NO_COUNTRY = ""  # a team's row: no public holidays, whatever the workspace keeps


def _days(row: WorkCalendarRow | None) -> frozenset[date]:
    return (
        frozenset(date.fromisoformat(d) for d in row.days_off) if row is not None else frozenset()
    )


def merged(workspace: WorkCalendarRow | None, team: WorkCalendarRow | None) -> WorkCalendar:
    """A team's calendar: its own country (or the workspace's), and both sets of days off."""
    chosen = team if team is not None and team.country is not None else workspace
    country = chosen.country if chosen is not None else None
    subdiv = chosen.subdiv if chosen is not None and country else None
    days = _days(workspace) | _days(team)
    if not country and not days:
        return NO_HOLIDAYS
    return WorkCalendar(country or None, subdiv, days)


class Calendars:
    """Every calendar row, read once: each team's calendar, each the same object per team."""

    def __init__(self, rows: Iterable[WorkCalendarRow]) -> None:
        self._workspace: dict[int, WorkCalendarRow] = {}
        self._team: dict[int, WorkCalendarRow] = {}
        for row in rows:
            if row.manager_id is None:
                self._workspace[row.workspace_id] = row
            else:
                self._team[row.manager_id] = row
        self._made: dict[tuple[int, int | None], WorkCalendar] = {}

    def teams(self, workspace_id: int) -> set[int]:
        """The teams of a workspace that keep a calendar of their own."""
        return {m for m, row in self._team.items() if row.workspace_id == workspace_id}

    def of(self, workspace_id: int, team_of: int | None) -> WorkCalendar:
        key = (workspace_id, team_of if team_of in self._team else None)
        if key not in self._made:
            team = self._team.get(team_of) if team_of is not None else None
            self._made[key] = merged(self._workspace.get(workspace_id), team)
        return self._made[key]


async def calendar_of(store: Store, person: Person) -> WorkCalendar:
    """The holidays a person keeps: their team's (a lead's own team's), or the workspace's."""
    team_of = person.id if person.role in LEADS else person.manager_id
    return Calendars(await store.work_calendars(person.workspace_id)).of(
        person.workspace_id, team_of
    )


def fingerprint(rows: Sequence[WorkCalendarRow]) -> tuple[object, ...]:
    """What the planner's roster stamp keeps of the calendars: any change shows."""
    return tuple(
        sorted(
            (r.workspace_id, r.manager_id or 0, r.country or "-", r.subdiv or "", *r.days_off)
            for r in rows
        )
    )


@dataclass(frozen=True)
class HolidaysView:
    """The calendar that applies to a team (or the workspace), and whose it is."""

    manager: str | None  # whose team; None: the workspace's
    calendar: WorkCalendar
    changed: str | None = None  # what was just changed, said back: "GB", "2026-12-24"
    hours: WorkingHours | None = None  # the asking person's own working hours


async def _team_and_owner(
    store: Store, actor: Actor, team_of: str | None
) -> tuple[Person | None, Person]:
    """Whose calendar the actor may change: an admin the workspace's (or any team's), a lead
    their own team's (a director also their managers' teams'). Others are refused."""
    me = actor.require_person()
    if team_of is None:
        if me.role is Role.ADMIN:
            return None, me
        if me.role not in LEADS:
            raise NotAllowed(Refusal.HOLIDAYS_LEADS_ONLY)
        return me, me
    team = await store.person(actor.workspace.id, team_of)
    if team is None or not team.active or team.role not in LEADS:
        raise UserError(Refusal.NOT_A_LEAD, person=team_of)
    if me.role is not Role.ADMIN and me.id not in (team.id, team.manager_id):
        raise NotAllowed(Refusal.NOT_YOUR_TEAM, lead=team.slack_user_id)
    return team, me


async def _view(
    store: Store, workspace_id: int, team: Person | None, changed: str | None = None
) -> HolidaysView:
    rows = await store.work_calendars(workspace_id)
    calendars = Calendars(rows)
    found = calendars.of(workspace_id, team.id if team else None)
    return HolidaysView(team.slack_user_id if team else None, found, changed)


async def holidays_of(store: Store, actor: Actor) -> HolidaysView:
    """The calendar that applies to the person asking (their team's), and their hours."""
    me = actor.require_person()
    team = me if me.role in LEADS else None
    if team is None and me.manager_id is not None:
        team = await store.person_by_id(me.manager_id)
    seen = await _view(store, actor.workspace.id, team)
    return HolidaysView(seen.manager, seen.calendar, hours=hours_of(me))


async def choose_region(
    store: Store,
    actor: Actor,
    country: str | None,
    subdiv: str | None,
    team_of: str | None,
    now: datetime,
) -> HolidaysView:
    """Keep a country's (and region's) public holidays; country None: none at all."""
    team, _ = await _team_and_owner(store, actor, team_of)
    code, region = check_region(country, subdiv) if country is not None else (None, None)
    row = await store.work_calendar_row(actor.workspace.id, team.id if team else None, now)
    row.country = code if code is not None or team is None else NO_COUNTRY
    row.subdiv = region
    row.updated_at = now
    await store.session.flush()
    return await _view(store, actor.workspace.id, team, changed=code or "none")


async def change_day_off(
    store: Store, actor: Actor, day: date, keep: bool, team_of: str | None, now: datetime
) -> HolidaysView:
    """Add (`keep`) or remove a day off of the workspace's (or a team's) own."""
    team, _ = await _team_and_owner(store, actor, team_of)
    row = await store.work_calendar_row(actor.workspace.id, team.id if team else None, now)
    days = set(row.days_off)
    if keep:
        if day.isoformat() not in days and len(days) >= MAX_DAYS_OFF:
            raise UserError(Refusal.TOO_MANY_DAYS_OFF)
        days.add(day.isoformat())
    elif day.isoformat() not in days:
        raise UserError(Refusal.NOT_A_DAY_OFF, day=day)
    else:
        days.discard(day.isoformat())
    row.days_off = sorted(days)
    row.updated_at = now
    await store.session.flush()
    return await _view(store, actor.workspace.id, team, changed=day.isoformat())


def hours_of(person: Person) -> WorkingHours | None:
    if person.work_starts is None or person.work_ends is None:
        return None
    return WorkingHours(person.work_starts, person.work_ends)


def working_hours(starts: time | None, ends: time | None) -> WorkingHours | None:
    """A planner row's working hours (both columns set), else None."""
    return WorkingHours(starts, ends) if starts is not None and ends is not None else None


async def set_hours(
    store: Store, actor: Actor, hours: WorkingHours | None, now: datetime
) -> WorkingHours | None:
    """The person's own working hours (None: no limit)."""
    me = actor.require_person()
    me.work_starts = hours.start if hours else None
    me.work_ends = hours.end if hours else None
    me.updated_at = now
    await store.session.flush()
    return hours


async def weeks_off(
    store: Store, reps: Sequence[Person], cycles: Sequence[str]
) -> set[tuple[int, str]]:
    """(rep, cycle) of the weeks skipped for holidays: no working day left for the 1:1.
    They count as skipped in every figure, like a paused week."""
    if not reps:
        return set()
    workspace_id = reps[0].workspace_id
    calendars = Calendars(await store.work_calendars(workspace_id))
    found: set[tuple[int, str]] = set()
    schedules: dict[int | None, dict[Step, StepTime]] = {}
    for rep in reps:
        work = calendars.of(workspace_id, rep.manager_id)
        if work == NO_HOLIDAYS:
            continue
        if rep.manager_id not in schedules:
            manager = await store.person_by_id(rep.manager_id) if rep.manager_id else None
            schedules[rep.manager_id] = (await team_schedule(store, workspace_id, manager)).schedule
        for cycle in cycles:
            if step_days(schedules[rep.manager_id], work, calendar.monday_of(cycle)) is None:
                found.add((rep.id, cycle))
    return found
