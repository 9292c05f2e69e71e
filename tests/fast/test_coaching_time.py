"""Coaching time: a held 1:1's length, plus 5 minutes a drill review and 5 a note."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.rules import coaching_time, metrics
from app.rules.metrics import RepWeek


@pytest.mark.parametrize(
    ("held", "length", "reviewed", "notes", "minutes"),
    [
        (True, None, False, 0, 30),  # the default length
        (True, 45, True, 2, 60),
        (False, 45, True, 0, 5),  # a 1:1 that didn't happen counts nothing
        (None, None, False, 1, 5),
    ],
)
def test_a_weeks_minutes(
    held: bool | None, length: int | None, reviewed: bool, notes: int, minutes: int
) -> None:
    assert coaching_time.week_minutes(held, length, reviewed, notes) == minutes


def test_the_length_typed_in_the_form() -> None:
    assert [
        coaching_time.length_of(t) for t in ("45", " 5 ", "120", "4", "121", "３０", "1e2")
    ] == [
        45,
        5,
        120,
        None,
        None,
        None,
        None,
    ]


def test_the_team_figure_counts_only_counted_reps() -> None:
    weeks = [
        RepWeek("2026-W48", coaching_minutes=55),
        RepWeek("2026-W48", coaching_minutes=0),
        RepWeek("2026-W48", paused=True, coaching_minutes=30),
    ]
    assert metrics.coaching_time(weeks) == (55, Fraction(55, 2))
    assert metrics.coaching_time([]) == (0, None)
