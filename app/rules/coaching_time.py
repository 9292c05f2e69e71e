"""Coaching time (docs/coaching-method.md, "The numbers"): the minutes a rep's coaches spent
on them in a week. A held 1:1 counts its length (as logged; 30 minutes when not given); each
drill the manager scored counts REVIEW_MINUTES toward the week of that drill; each coaching
note (SBI, CAR, OSKAR) counts NOTE_MINUTES toward the week it was written."""

from __future__ import annotations

from app.rules.agenda import ONE_ON_ONE_MINUTES
from app.rules.types import whole_number

REVIEW_MINUTES = 5  # watching a drill recording and scoring it
NOTE_MINUTES = 5  # writing one coaching note
MIN_LENGTH, MAX_LENGTH = 5, 120  # what the GROW form accepts as a 1:1's length


def length_of(text: str) -> int | None:
    """A 1:1's length as typed in minutes ("45"), when it is a whole number in range."""
    return whole_number(text, range(MIN_LENGTH, MAX_LENGTH + 1))


def week_minutes(held: bool | None, length: int | None, reviewed: bool, notes: int) -> int:
    one_on_one = (length or ONE_ON_ONE_MINUTES) if held else 0
    return one_on_one + (REVIEW_MINUTES if reviewed else 0) + NOTE_MINUTES * notes
