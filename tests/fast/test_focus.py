"""A focus holds until a drill scores 4+, and asks to be diagnosed again at week 3."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.rules import focus
from app.rules.focus import FocusAdvice


@dataclass(frozen=True)
class D:
    cycle_week: str
    focus_skill: str
    focus_key: str | None


def run_of(*weeks: tuple[str, str | None]) -> focus.FocusRun:
    """Diagnoses oldest first, as (cycle, key); a None key is a focus typed before the rubric."""
    history = [D(c, (k or "discovery ").title(), k) for c, k in weeks]
    return focus.current_run(list(reversed(history)))


def test_the_run_is_the_latest_focus_back_to_its_first_week() -> None:
    run = run_of(("2026-W40", "closing"), ("2026-W41", "discovery"), ("2026-W43", "discovery"))
    assert run.key == "discovery" and run.cycles == ("2026-W41", "2026-W43") and run.weeks == 2


def test_a_focus_typed_by_hand_matches_by_its_words() -> None:
    run = run_of(("2026-W41", None), ("2026-W42", None))
    assert run.weeks == 2 and run.key is None


@pytest.mark.parametrize(
    ("weeks", "scores", "expected"),
    [
        (0, {}, FocusAdvice(carry=False, week=1, rediagnose=False)),
        (1, {"2026-W41": 2}, FocusAdvice(carry=True, week=2, rediagnose=False)),
        (2, {"2026-W41": 2, "2026-W42": 3}, FocusAdvice(carry=True, week=3, rediagnose=True)),
        (2, {}, FocusAdvice(carry=True, week=3, rediagnose=True)),  # no scores is no 4
        (2, {"2026-W42": 4}, FocusAdvice(carry=False, week=3, rediagnose=False)),
        (3, {"2026-W41": 5}, FocusAdvice(carry=False, week=4, rediagnose=False)),
        # A 4 from before this focus began doesn't count for it.
        (2, {"2026-W40": 5}, FocusAdvice(carry=True, week=3, rediagnose=True)),
    ],
)
def test_advice(weeks: int, scores: dict[str, int], expected: FocusAdvice) -> None:
    cycles = [f"2026-W{41 + n}" for n in range(weeks)]
    run = run_of(("2026-W40", "closing"), *((c, "discovery") for c in cycles)) if weeks else None
    assert focus.advice(run or focus.NO_FOCUS, scores) == expected
