"""The learned sending pace (app/rules/pacing.py): up while Slack accepts, down on a 429."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db.pace import Learning, Rate, learned_rate, sending_pace
from app.rules.pacing import (
    CUT,
    FLOOR_PER_MINUTE,
    HARD_MAX_PER_MINUTE,
    PROBE_EVERY,
    PROBE_STEP,
    Pace,
    cut,
    raised,
    started,
)

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_it_starts_safe_and_under_the_cap() -> None:
    assert started(60, None) == Pace(60)
    assert started(60, 30) == Pace(30)
    assert Pace(900).limited(600) == 600 and Pace(900).limited(None) == 900


def test_before_any_429_it_doubles_once_every_probe_interval() -> None:
    pace = raised(Pace(60), T0, None)
    assert pace.per_minute == 120 and pace.raised_at == T0
    assert raised(pace, T0 + PROBE_EVERY / 2, None) == pace  # too soon: unchanged
    assert raised(pace, T0 + PROBE_EVERY, None).per_minute == 240


def test_after_a_429_it_climbs_by_a_step_of_the_ceiling() -> None:
    pace = Pace(500, ceiling=600, raised_at=T0)
    assert raised(pace, later(10), None).per_minute == 500 + PROBE_STEP * 600


def test_it_never_passes_the_cap_or_the_hard_maximum() -> None:
    assert raised(Pace(400), T0, 600).per_minute == 600
    assert raised(Pace(600), T0, 600) == Pace(600)
    assert raised(Pace(HARD_MAX_PER_MINUTE * 0.75), T0, None).per_minute == HARD_MAX_PER_MINUTE


def test_the_first_429_halves_it_and_later_ones_take_a_share_off() -> None:
    first = cut(Pace(1920, raised_at=T0), later(5))
    assert first.per_minute == 960 and first.ceiling == 1920 and first.cut_at == later(5)
    second = cut(first, later(20))
    assert second.per_minute == 960 * CUT and second.ceiling == 960
    assert cut(Pace(FLOOR_PER_MINUTE), T0).per_minute == FLOOR_PER_MINUTE  # never below


def test_the_429s_of_one_overload_cut_once() -> None:
    once = cut(Pace(800, ceiling=900), T0)
    assert cut(once, later(1)) == once  # the other posts that were in flight
    assert cut(once, T0 + PROBE_EVERY).per_minute == once.per_minute * CUT


def test_after_a_cut_it_waits_a_probe_interval_before_climbing() -> None:
    down = cut(Pace(700, ceiling=800, raised_at=T0), later(1))
    assert raised(down, later(5), None) == down
    assert raised(down, later(11), None).per_minute > down.per_minute


def test_for_a_minute_after_a_cut_it_recovers_and_posts_go_one_at_a_time() -> None:
    down = cut(Pace(700, ceiling=800), T0)
    assert not Pace(700).recovering(T0)
    assert down.recovering(later(59))
    assert not down.recovering(later(60))
    assert learned_rate(down, None, later(30)).capacity == 1.0
    assert learned_rate(down, None, later(60)).capacity == down.per_minute / 60


def test_a_cap_at_or_below_the_start_is_a_fixed_rate_and_anything_else_is_learned() -> None:
    assert sending_pace(300, 300) == (Rate(300), None)  # the admin said the rate
    assert sending_pace(600, 300) == (Rate(300), None)  # … never above the cap
    assert sending_pace(60, 300) == (Rate(60), Learning(60, 300))  # learned, up to the cap
    assert sending_pace(60, None) == (Rate(60), Learning(60, None))
