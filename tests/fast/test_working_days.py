"""Holidays move a step to the next working day (and the steps after it along); a week with
no working day left for the 1:1 is skipped; working hours hold a DM until the person's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.rules.calendar import (
    Schedulable,
    due_steps,
    held_to_hours,
    occurrence,
    week_occurrences,
    within_hours,
)
from app.rules.refusals import Refusal, UserError
from app.rules.types import REP_STEPS, Step
from app.rules.weekly_steps import DEFAULT_SCHEDULE
from app.rules.working_days import (
    NO_HOLIDAYS,
    WorkCalendar,
    WorkingHours,
    check_region,
    holiday_name,
    is_working_day,
    step_days,
)

BERLIN = ZoneInfo("Europe/Berlin")
SAXONY = WorkCalendar("DE", "SN")  # Repentance and Prayer Day: Wednesday 18 Nov 2026
BAVARIA = WorkCalendar("DE", "BY")  # no holiday that week
ENGLAND = WorkCalendar("GB", "ENG")  # Boxing Day (observed): Monday 28 Dec 2026
W47 = date(2026, 11, 16)
W53 = date(2026, 12, 28)
NINE_TO_SIX = WorkingHours(time(9), time(18))


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def test_a_public_holiday_of_one_region_is_not_anothers() -> None:
    wednesday = W47 + timedelta(days=2)
    assert holiday_name(SAXONY, wednesday) == "Repentance and Prayer Day"
    assert not is_working_day(SAXONY, wednesday)
    assert is_working_day(BAVARIA, wednesday)
    assert not is_working_day(NO_HOLIDAYS, W47 + timedelta(days=5))  # Saturday


def test_a_wednesday_holiday_moves_the_one_on_one_and_its_nudge_to_thursday() -> None:
    days = step_days(DEFAULT_SCHEDULE, SAXONY, W47)
    assert days is not None
    assert days[Step.ONE_ON_ONE] == days[Step.NOTES_NUDGE] == date(2026, 11, 19)
    assert days[Step.MANAGER_PREP] == date(2026, 11, 17)
    assert days[Step.DRILL_CHECK] == date(2026, 11, 20)
    unmoved = step_days(DEFAULT_SCHEDULE, BAVARIA, W47)
    assert unmoved is not None and unmoved[Step.ONE_ON_ONE] == date(2026, 11, 18)


def test_a_monday_holiday_moves_the_prompt_and_keeps_the_prep_after_it() -> None:
    days = step_days(DEFAULT_SCHEDULE, ENGLAND, W53)
    assert days is not None
    tuesday, wednesday, thursday = (W53 + timedelta(days=n) for n in (1, 2, 3))
    assert days[Step.REP_PROMPT] == days[Step.REP_REMINDER] == tuesday
    assert days[Step.MANAGER_REVIEW] == tuesday
    assert days[Step.MANAGER_PREP] == wednesday  # after the rep was asked, never before
    assert days[Step.ONE_ON_ONE] == days[Step.NOTES_NUDGE] == thursday
    # Friday is New Year's Day: nothing is left of the week for the Friday steps
    assert holiday_name(ENGLAND, W53 + timedelta(days=4)) == "New Year's Day"
    assert Step.DRILL_CHECK not in days and Step.DIGEST not in days


def test_the_week_is_skipped_when_no_working_day_is_left_for_the_one_on_one() -> None:
    off = WorkCalendar(days_off=frozenset(W47 + timedelta(days=n) for n in (2, 3, 4)))
    assert step_days(DEFAULT_SCHEDULE, off, W47) is None
    late = WorkCalendar(days_off=frozenset(W47 + timedelta(days=n) for n in (2, 3)))
    days = step_days(DEFAULT_SCHEDULE, late, W47)
    assert days is not None and days[Step.ONE_ON_ONE] == W47 + timedelta(days=4)  # Friday 09:00
    (skipped,) = week_occurrences(
        {Step.REP_PROMPT: DEFAULT_SCHEDULE[Step.REP_PROMPT]},
        "2026-W47",
        BERLIN,
        week=DEFAULT_SCHEDULE,
        work=off,
    )
    assert skipped.skipped and skipped.due_at == local(W47, 9)  # at its own time, skipped
    rep = Schedulable(
        1, 1, BERLIN, {s: DEFAULT_SCHEDULE[s] for s in REP_STEPS}, week=DEFAULT_SCHEDULE, work=off
    )
    (due,) = due_steps([rep], local(W47, 9))
    assert due.paused  # planned as skipped, like a pause


def test_nothing_chosen_changes_nothing() -> None:
    steps = {s: DEFAULT_SCHEDULE[s] for s in REP_STEPS}
    plain = week_occurrences(steps, "2026-W47", BERLIN)
    assert plain == [occurrence(s, w, "2026-W47", BERLIN) for s, w in steps.items()]
    assert within_hours(local(W47, 22), None, NO_HOLIDAYS, BERLIN) == local(W47, 22)


def test_working_hours_hold_an_evening_dm_for_the_next_working_morning() -> None:
    friday = W47 + timedelta(days=4)
    assert within_hours(local(friday, 22, 30), NINE_TO_SIX, NO_HOLIDAYS, BERLIN) == local(
        friday + timedelta(days=3), 9
    )
    assert within_hours(local(W47, 7), NINE_TO_SIX, NO_HOLIDAYS, BERLIN) == local(W47, 9)
    assert within_hours(local(W47, 10), NINE_TO_SIX, NO_HOLIDAYS, BERLIN) == local(W47, 10)
    tuesday = W47 + timedelta(days=1)  # the next morning is Saxony's holiday: Thursday
    assert within_hours(local(tuesday, 20), NINE_TO_SIX, SAXONY, BERLIN) == local(
        tuesday + timedelta(days=2), 9
    )


def test_a_step_outside_working_hours_waits_for_their_start_and_closes_with_their_day() -> None:
    prompt = occurrence(Step.REP_PROMPT, DEFAULT_SCHEDULE[Step.REP_PROMPT], "2026-W47", BERLIN)
    late_start = held_to_hours(prompt, WorkingHours(time(10, 30), time(15)), NO_HOLIDAYS, BERLIN)
    assert (late_start.due_at, late_start.expires_at) == (local(W47, 10, 30), local(W47, 15))
    nudge = occurrence(Step.NOTES_NUDGE, DEFAULT_SCHEDULE[Step.NOTES_NUDGE], "2026-W47", BERLIN)
    early = held_to_hours(nudge, WorkingHours(time(8), time(16)), NO_HOLIDAYS, BERLIN)
    thursday = W47 + timedelta(days=3)
    assert (early.local_day, early.due_at, early.expires_at) == (
        thursday,
        local(thursday, 8),
        local(thursday, 16),
    )


def test_codes_are_checked_against_the_library() -> None:
    assert check_region("gb", "eng") == ("GB", "ENG")
    assert check_region("DE", None) == ("DE", None)
    with pytest.raises(UserError) as country:
        check_region("XX", None)
    assert country.value.reason is Refusal.NOT_A_COUNTRY
    with pytest.raises(UserError) as region:
        check_region("GB", "ZZZ")
    assert region.value.reason is Refusal.NOT_A_REGION
    assert region.value.facts["regions"] == "ENG, NIR, SCT, WLS"
