"""Pure rules of working days and working hours: holidays, a step's day, a DM's hour.

A workspace (or a team, overriding it) may choose a holiday calendar: a country and a
region from the `holidays` library, plus its own days off. Saturday and Sunday are never
working days. Nothing chosen: every weekday works and nothing moves (the default).

Where a step lands in a week (`step_days`):

- A step whose day is off moves to the next working day of the same week, at its own time.
- A step moved later pushes the steps that must follow it (`weekly_steps.ORDER`) to after it,
  each keeping its time of day: a Monday holiday sends the prompt on Tuesday 09:00, the
  reminder at 15:00 that day, the prep on Wednesday and the 1:1 on Thursday. The prep never
  comes before the rep was asked.
- A step with no working day left in its week is not sent that week.
- When no working day is left for the 1:1, the whole week is skipped for that team: every
  step is planned as skipped, as for a pause, and every figure counts the week as skipped,
  never as missed.

Working hours (`WorkingHours`) are a person's own. No scheduled DM lands outside them: a step
whose time is before their start waits for it; one after their end (or a snooze that would
land in the evening) waits for the start of their next working day. Without working hours a
step keeps the old rule: never sent on another day than its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

import holidays

from app.rules.refusals import Refusal, UserError
from app.rules.types import Step, StepTime
from app.rules.weekly_steps import ORDER

WEEKDAYS = frozenset(range(5))  # Monday to Friday
DAY_OFF = "a day off"  # what a workspace's own date is called
MAX_DAYS_OFF = 100  # own dates kept per calendar


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked. Hashable: the planner keys its work on it."""

    country: str | None = None
    subdiv: str | None = None
    days_off: frozenset[date] = frozenset()

    @property
    def label(self) -> str:
        if self.country is None:
            return "no public holidays"
        region = f"-{self.subdiv}" if self.subdiv else ""
        return f"{self.country}{region} public holidays"


NO_HOLIDAYS = WorkCalendar()


@lru_cache(maxsize=2048)
def _public_holidays(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    """One country's (and region's) holidays of one year, read from the library once."""
    found = holidays.country_holidays(country, subdiv=subdiv, years=year)
    return {day: str(name) for day, name in found.items()}


def check_region(country: str, subdiv: str | None) -> tuple[str, str | None]:
    """The country and region codes as the library spells them, or a refusal naming them."""
    supported = holidays.list_supported_countries()
    code = country.upper()
    if code not in supported:
        raise UserError(Refusal.NOT_A_COUNTRY, word=country)
    if subdiv is None:
        return code, None
    region = next((s for s in supported[code] if s.upper() == subdiv.upper()), None)
    if region is None:
        regions = supported[code]
        shown = ", ".join(regions[:8]) + (" …" if len(regions) > 8 else "")
        raise UserError(Refusal.NOT_A_REGION, word=subdiv, country=code, regions=shown)
    return code, region


def holiday_name(calendar: WorkCalendar, day: date) -> str | None:
    """What `day` is off for (a public holiday's name, or a day off of its own), else None."""
    if day in calendar.days_off:
        return DAY_OFF
    if calendar.country is None:
        return None
    return _public_holidays(calendar.country, calendar.subdiv, day.year).get(day)


def is_working_day(calendar: WorkCalendar, day: date) -> bool:
    return day.weekday() in WEEKDAYS and holiday_name(calendar, day) is None


def next_working_day(calendar: WorkCalendar, day: date, last: date) -> date | None:
    """`day` or the first working day after it, up to `last`; None if there is none."""
    while day <= last:
        if is_working_day(calendar, day):
            return day
        day += timedelta(days=1)
    return None


def step_days(
    schedule: Mapping[Step, StepTime], calendar: WorkCalendar, monday: date
) -> dict[Step, date] | None:
    """The day each step of the week starting `monday` goes out on (a step with no working
    day left is absent), or None when the week is skipped: no working day for the 1:1."""
    sunday = monday + timedelta(days=6)
    placed: dict[Step, tuple[date, time]] = {}
    for step, when in sorted(schedule.items(), key=lambda item: (item[1], item[0])):
        day = monday + timedelta(days=when.weekday)
        for first, then in ORDER:
            if then is step and first in placed:
                before_day, before_at = placed[first]
                if (day, when.at) <= (before_day, before_at):
                    day = before_day if when.at > before_at else before_day + timedelta(days=1)
        found = day if calendar == NO_HOLIDAYS else next_working_day(calendar, day, sunday)
        if found is None or found > sunday:
            if step is Step.ONE_ON_ONE:
                return None
            continue
        placed[step] = (found, when.at)
    return {step: day for step, (day, _) in placed.items()}


@dataclass(frozen=True, order=True)
class WorkingHours:
    """A person's working day, in their own zone (start before end)."""

    start: time
    end: time

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"
