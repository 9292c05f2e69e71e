"""The planner's pure parts: which windows are open at all, and who is due in them."""

from __future__ import annotations

from datetime import UTC, datetime, time

from app.db.models import ScheduleStep
from app.rules.types import Step
from app.services.week_plan import open_windows

SATURDAY_NOON = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)  # 12:00 in Berlin


THURSDAY_1400_BERLIN = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def team_one_on_one(weekday: int, at: time) -> ScheduleStep:
    return ScheduleStep(
        workspace_id=1, manager_id=7, step=Step.ONE_ON_ONE, weekday=weekday, local_time=at
    )


def test_nothing_is_open_on_a_weekend() -> None:
    assert open_windows([(1, "Europe/Berlin"), (1, None)], [], "UTC", SATURDAY_NOON) == set()


def test_a_window_opens_at_the_local_time_of_each_zone() -> None:
    monday_9_berlin = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    found = open_windows(
        [(1, "Europe/Berlin"), (1, "America/New_York")], [], "UTC", monday_9_berlin
    )
    assert {(zone, step) for _, zone, step, _, _ in found} == {
        ("Europe/Berlin", Step.REP_PROMPT),
        ("Europe/Berlin", Step.MANAGER_REVIEW),
    }


def test_a_team_schedule_opens_its_own_window() -> None:
    zones = [(1, "Europe/Berlin")]
    assert open_windows(zones, [], "UTC", THURSDAY_1400_BERLIN) == set()
    moved = open_windows(zones, [team_one_on_one(3, time(14, 0))], "UTC", THURSDAY_1400_BERLIN)
    assert {step for _, _, step, _, _ in moved} == {Step.ONE_ON_ONE}
    # another workspace's team schedule opens nothing here
    other = ScheduleStep(
        workspace_id=2, manager_id=9, step=Step.ONE_ON_ONE, weekday=3, local_time=time(14, 0)
    )
    assert open_windows(zones, [other], "UTC", THURSDAY_1400_BERLIN) == set()
