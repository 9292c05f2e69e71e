"""Pure time rules of the weekly loop: cycles, local instants across DST, and what is due.

A rep's cycle is the ISO week of their local Monday. Every step fires at the person's own
local weekday and time; a local time that does not exist (spring forward) fires at the next
valid minute, a repeated one (fall back) fires once, at its first occurrence.

Holidays and working hours (app/rules/working_days.py) move a step to another day or hour;
with neither chosen, every step fires at its own weekday and time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.rules.types import Step, StepTime
from app.rules.working_days import (
    NO_HOLIDAYS,
    WorkCalendar,
    WorkingHours,
    is_working_day,
    next_working_day,
    step_days,
)

# A step that could not go out at its time may still go out later the same local day, until
# the end of the working day (or at least this long after its time): never on another day.
MIN_WINDOW = timedelta(hours=4)
END_OF_WORKING_DAY = time(19, 0)


_CYCLE = re.compile(r"(20[0-9]{2})-W([0-9]{2})")


def is_cycle(text: str) -> bool:
    """Whether `text` names an ISO week that exists (2026-W53 does, 2025-W53 and 2026-W99
    don't), in this century: what a cycle from outside (a button, metadata) must be."""
    match = _CYCLE.fullmatch(text)
    if match is None:
        return False
    try:
        date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return False
    return True


def weeks_apart(cycle: str, other: str) -> int:
    """How many weeks `cycle` is after `other` (negative: before)."""
    return (monday_of(cycle) - monday_of(other)).days // 7


def cycle_week(day: date) -> str:
    """The cycle name of the week holding `day`: its ISO week, e.g. 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(cycle: str) -> date:
    year, week = cycle.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def previous_cycle(cycle: str) -> str:
    return cycle_week(monday_of(cycle) - timedelta(days=7))


def next_cycle(cycle: str) -> str:
    return cycle_week(monday_of(cycle) + timedelta(days=7))


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def current_cycle(now: datetime, tz: ZoneInfo) -> str:
    return cycle_week(local_today(now, tz))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`.

    Repeated wall times resolve to the first occurrence (fold=0). A wall time inside a gap
    resolves to the first minute that exists after it (02:30 on a 02:00→03:00 night is 03:00).
    """
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap: the local clock jumps over `wall` somewhere between these two readings.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(second=0, microsecond=0)


def window_end(day: date, due_at: datetime, tz: ZoneInfo) -> datetime:
    """Until when a step due at `due_at` on local `day` may still be sent."""
    return max(due_at + MIN_WINDOW, local_instant(day, END_OF_WORKING_DAY, tz))


@dataclass(frozen=True)
class Occurrence:
    step: Step
    cycle_week: str
    local_day: date
    due_at: datetime
    expires_at: datetime
    skipped: bool = False  # the week is off for the 1:1 (holidays): planned as skipped


def occurrence(step: Step, when: StepTime, cycle: str, tz: ZoneInfo) -> Occurrence:
    day = monday_of(cycle) + timedelta(days=when.weekday)
    due_at = local_instant(day, when.at, tz)
    return Occurrence(step, cycle, day, due_at, window_end(day, due_at, tz))


def within_hours(
    instant: datetime, hours: WorkingHours | None, work: WorkCalendar, tz: ZoneInfo
) -> datetime:
    """The first moment from `instant` inside the person's working hours on a working day:
    `instant` itself without working hours, or when it is inside them."""
    if hours is None:
        return instant
    local = instant.astimezone(tz)
    day = local.date()
    if is_working_day(work, day) and local.time() < hours.end:
        return instant if local.time() >= hours.start else local_instant(day, hours.start, tz)
    start = next_working_day(work, day + timedelta(days=1), day + timedelta(days=31))
    return local_instant(start or day + timedelta(days=1), hours.start, tz)


def held_to_hours(
    found: Occurrence, hours: WorkingHours | None, work: WorkCalendar, tz: ZoneInfo
) -> Occurrence:
    """The occurrence inside the person's working hours: it waits for their start (today, or
    their next working day when it is past their end), and closes when their day ends."""
    if hours is None:
        return found
    due_at = within_hours(found.due_at, hours, work, tz)
    day = due_at.astimezone(tz).date()
    expires_at = found.expires_at if day == found.local_day else window_end(day, due_at, tz)
    expires_at = min(expires_at, local_instant(day, hours.end, tz))
    return replace(found, local_day=day, due_at=due_at, expires_at=expires_at)


def week_occurrences(
    steps: Mapping[Step, StepTime],
    cycle: str,
    tz: ZoneInfo,
    *,
    week: Mapping[Step, StepTime] | None = None,
    work: WorkCalendar = NO_HOLIDAYS,
    hours: WorkingHours | None = None,
) -> list[Occurrence]:
    """When each of `steps` goes out in `cycle`: at its own day and time, moved off holidays
    as the whole team's `week` (its full schedule) moves, held to the person's `hours`.
    A week with no working day for the 1:1 gives every step at its own time, skipped."""
    if work == NO_HOLIDAYS and hours is None:
        return [occurrence(step, when, cycle, tz) for step, when in steps.items()]
    days = step_days(week or steps, work, monday_of(cycle))
    found = []
    for step, when in steps.items():
        if days is None:
            found.append(replace(occurrence(step, when, cycle, tz), skipped=True))
        elif step in days:
            due_at = local_instant(days[step], when.at, tz)
            placed = Occurrence(step, cycle, days[step], due_at, window_end(days[step], due_at, tz))
            found.append(held_to_hours(placed, hours, work, tz))
    return found


def open_occurrences(
    steps: Mapping[Step, StepTime],
    tz: ZoneInfo,
    now: datetime,
    *,
    week: Mapping[Step, StepTime] | None = None,
    work: WorkCalendar = NO_HOLIDAYS,
    hours: WorkingHours | None = None,
) -> list[Occurrence]:
    """The steps whose time has come at `now` and whose window has not closed.

    Looks at this local week and the previous one (a Sunday step's window can cross into
    Monday), so a tick after downtime catches up on whatever is still inside its window.
    """
    this_week = current_cycle(now, tz)
    return [
        candidate
        for cycle in (previous_cycle(this_week), this_week)
        for candidate in week_occurrences(steps, cycle, tz, week=week, work=work, hours=hours)
        if candidate.due_at <= now < candidate.expires_at
    ]


@dataclass(frozen=True)
class Schedulable:
    """What the planner needs to know of one person."""

    person_id: int
    workspace_id: int
    tz: ZoneInfo
    steps: Mapping[Step, StepTime]  # the steps this person receives, at their team's times
    paused_until: date | None = None
    week: Mapping[Step, StepTime] | None = None  # the team's whole schedule (None: `steps`)
    work: WorkCalendar = NO_HOLIDAYS  # the team's holidays
    hours: WorkingHours | None = None  # the person's working hours


@dataclass(frozen=True)
class Due:
    person_id: int
    workspace_id: int
    occurrence: Occurrence
    paused: bool  # planned as skipped: paused people (or weeks off) get nothing, miss nothing


def is_paused(paused_until: date | None, local_day: date) -> bool:
    return paused_until is not None and local_day <= paused_until


def due_steps(people: Iterable[Schedulable], now: datetime) -> list[Due]:
    """Every step due for these people at `now`, in due order.

    What is open depends only on a person's zone, steps, holidays and working hours, which
    whole teams share: it is worked out once per (zone, steps, calendar, hours) and reused,
    so 10,000 people cost a few hundred calendar look-ups, not tens of thousands.
    """
    # Keyed on the steps mapping's identity (the planner hands one mapping to a whole team,
    # and the team's whole schedule with it); each entry keeps its mapping alive, so no id is
    # reused while this runs.
    Key = tuple[ZoneInfo, int, WorkCalendar, WorkingHours | None]
    seen: dict[Key, tuple[Mapping[Step, StepTime], list[Occurrence]]] = {}
    due = []
    for person in people:
        key = (person.tz, id(person.steps), person.work, person.hours)
        known = seen.get(key)
        if known is None:
            opened = open_occurrences(
                person.steps,
                person.tz,
                now,
                week=person.week,
                work=person.work,
                hours=person.hours,
            )
            known = seen[key] = (person.steps, opened)
        for found in known[1]:
            due.append(
                Due(
                    person.person_id,
                    person.workspace_id,
                    found,
                    paused=found.skipped or is_paused(person.paused_until, found.local_day),
                )
            )
    return sorted(due, key=lambda d: (d.occurrence.due_at, d.person_id, d.occurrence.step))
