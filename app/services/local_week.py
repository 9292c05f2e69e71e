"""A person's own week: the cycle and the date where they are."""

from __future__ import annotations

from datetime import date, datetime

from app.db.models import Person
from app.rules import calendar
from app.services.week_plan import zone


def rep_cycle(person: Person, now: datetime, default_tz: str) -> str:
    """The cycle a person is in now: the ISO week of their local date."""
    return calendar.current_cycle(now, zone(person.tz, default_tz))


def local_date(person: Person, now: datetime, default_tz: str) -> date:
    return calendar.local_today(now, zone(person.tz, default_tz))
