"""The pure time rules: cycles, local instants across DST, windows and what is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.rules.calendar import (
    Schedulable,
    cycle_week,
    due_steps,
    local_instant,
    monday_of,
    next_cycle,
    occurrence,
    open_occurrences,
    previous_cycle,
)
from app.rules.types import REP_STEPS, Step, StepTime
from app.rules.weekly_steps import DEFAULT_SCHEDULE

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
LA = ZoneInfo("America/Los_Angeles")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_cycle_names_follow_iso_weeks_across_the_year_end() -> None:
    assert cycle_week(date(2026, 11, 23)) == "2026-W48"
    assert cycle_week(date(2026, 12, 28)) == "2026-W53"
    assert cycle_week(date(2027, 1, 4)) == "2027-W01"
    assert monday_of("2026-W53") == date(2026, 12, 28)
    assert next_cycle("2026-W53") == "2027-W01"
    assert previous_cycle("2027-W01") == "2026-W53"


def test_local_instant_in_an_ordinary_week() -> None:
    assert local_instant(date(2026, 11, 23), time(9), NY) == utc(2026, 11, 23, 14)
    assert local_instant(date(2026, 11, 23), time(9), KOLKATA) == utc(2026, 11, 23, 3, 30)


def test_a_time_that_does_not_exist_fires_at_the_next_valid_minute() -> None:
    # 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    assert local_instant(date(2026, 3, 8), time(2, 30), NY) == utc(2026, 3, 8, 7, 0)
    # Lord Howe moves by 30 minutes: 02:00 → 02:30 (+11).
    assert local_instant(date(2026, 10, 4), time(2, 15), LORD_HOWE) == utc(2026, 10, 3, 15, 30)


def test_a_repeated_time_fires_once_at_its_first_occurrence() -> None:
    # 2026-11-01 in New York: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    assert local_instant(date(2026, 11, 1), time(1, 30), NY) == utc(2026, 11, 1, 5, 30)


def test_nine_am_stays_nine_am_local_across_the_dst_change() -> None:
    before = occurrence(Step.REP_PROMPT, StepTime(0, time(9)), "2026-W10", NY)
    after = occurrence(Step.REP_PROMPT, StepTime(0, time(9)), "2026-W11", NY)
    assert before.due_at == utc(2026, 3, 2, 14)  # EST
    assert after.due_at == utc(2026, 3, 9, 13)  # EDT
    # Europe changes three weeks later: a Berlin rep's Monday is unaffected that week.
    assert occurrence(Step.REP_PROMPT, StepTime(0, time(9)), "2026-W11", BERLIN).due_at == utc(
        2026, 3, 9, 8
    )


def test_window_runs_to_the_end_of_the_working_day_and_never_into_the_next() -> None:
    prompt = occurrence(Step.REP_PROMPT, StepTime(0, time(9)), "2026-W48", BERLIN)
    assert prompt.expires_at == utc(2026, 11, 23, 18)  # 19:00 Berlin
    late = occurrence(Step.MANAGER_HEADS_UP, StepTime(4, time(16)), "2026-W48", BERLIN)
    assert late.expires_at == late.due_at + timedelta(hours=4)


def test_open_occurrences_are_due_inside_their_window_only() -> None:
    steps = {Step.REP_PROMPT: StepTime(0, time(9))}
    monday_9 = utc(2026, 11, 23, 8)  # 09:00 Berlin
    assert open_occurrences(steps, BERLIN, monday_9 - timedelta(minutes=1)) == []
    assert [o.cycle_week for o in open_occurrences(steps, BERLIN, monday_9)] == ["2026-W48"]
    # After downtime, Monday afternoon still gets the Monday prompt …
    assert open_occurrences(steps, BERLIN, utc(2026, 11, 23, 14))
    # … Thursday never does.
    assert open_occurrences(steps, BERLIN, utc(2026, 11, 26, 8)) == []


def test_a_sunday_step_still_open_after_local_midnight_belongs_to_its_own_week() -> None:
    steps = {Step.REP_PROMPT: StepTime(6, time(22))}
    found = open_occurrences(steps, BERLIN, utc(2026, 11, 29, 23, 30))  # Monday 00:30 Berlin
    assert [o.cycle_week for o in found] == ["2026-W48"]


@pytest.mark.parametrize(
    ("tz", "local_monday_9"),
    [
        (LA, utc(2026, 11, 23, 17)),
        (NY, utc(2026, 11, 23, 14)),
        (BERLIN, utc(2026, 11, 23, 8)),
        (KOLKATA, utc(2026, 11, 23, 3, 30)),
    ],
)
def test_each_person_is_prompted_at_their_own_nine(tz: ZoneInfo, local_monday_9: datetime) -> None:
    person = Schedulable(1, 1, tz, {s: DEFAULT_SCHEDULE[s] for s in REP_STEPS})
    assert due_steps([person], local_monday_9 - timedelta(minutes=1)) == []
    (due,) = due_steps([person], local_monday_9)
    assert due.occurrence.step is Step.REP_PROMPT
    assert due.occurrence.cycle_week == "2026-W48"
    assert not due.paused


def test_paused_people_are_planned_as_skipped_until_their_pause_ends() -> None:
    steps = {Step.REP_PROMPT: StepTime(0, time(9))}
    paused = Schedulable(1, 1, BERLIN, steps, paused_until=date(2026, 11, 23))
    (due,) = due_steps([paused], utc(2026, 11, 23, 8))
    assert due.paused
    (next_week,) = due_steps([paused], utc(2026, 11, 30, 8))
    assert not next_week.paused
