"""Coaching the coaches: the checklist a director reviews a manager's 1:1 with, what coach can
tick in advance from the record it holds, the checks on a review, and the checklist figure
(docs/coaching-method.md, "Coaching the coaches" and "The numbers").

Pure: plain values in, plain values out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.form_fields import ReviewField
from app.rules.metrics import NO_RATIO, Ratio
from app.rules.refusals import Refusal

MAX_NOTE = 1000  # characters of the director's note


class Check(StrEnum):
    """One item of the checklist, in the order the director reads them."""

    ONE_FOCUS = "one_focus"  # one focus skill
    CALL_EVIDENCE = "call_evidence"  # evidence from a call
    REP_OPTIONS = "rep_options"  # the rep generated the options
    MEASURABLE = "measurable"  # a measurable commitment, with a number
    FOLLOW_UP = "follow_up"  # a follow-up set
    TALK_UNDER_40 = "talk_under_40"  # the manager talked under 40% of the 1:1


CHECKLIST: tuple[Check, ...] = tuple(Check)


@dataclass(frozen=True)
class RecordFacts:
    """What coach holds of a 1:1 that bears on the checklist: the week's diagnosis (if any)
    and the GROW notes."""

    focus_skill: str | None  # the diagnosis's one focus skill; None without a diagnosis
    evidence_url: str | None  # the diagnosis's clip or picked call
    commitment: str | None
    accountability: str | None
    follow_up_on: date | None


# Digits, or a number word someone writes in a commitment ("on three discovery calls").
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|once|twice|half)\b",
    re.IGNORECASE,
)


def has_number(text: str | None) -> bool:
    """Whether a commitment names a number: a digit or a number word."""
    return bool(text) and _NUMBER.search(text or "") is not None


def pre_ticked(facts: RecordFacts) -> frozenset[Check]:
    """What coach ticks before the director looks, from what it holds (the director may
    untick any of it): one focus — the week has a diagnosis, which names exactly one focus
    skill; evidence — that diagnosis rests on a clip or a picked call; measurable — the
    commitment or the accountability names a number; follow-up — a follow-up date is set.
    Whether the rep generated the options and how much the manager talked, coach can't know."""
    found = set()
    if (facts.focus_skill or "").strip():
        found.add(Check.ONE_FOCUS)
    if (facts.evidence_url or "").strip():
        found.add(Check.CALL_EVIDENCE)
    if has_number(facts.commitment) or has_number(facts.accountability):
        found.add(Check.MEASURABLE)
    if facts.follow_up_on is not None:
        found.add(Check.FOLLOW_UP)
    return frozenset(found)


def in_order(ticked: Collection[str]) -> list[Check]:
    """The ticked items of the checklist, in checklist order (anything else left out)."""
    return [check for check in CHECKLIST if check.value in ticked]


def check_review(ticked: Collection[str], note: str) -> dict[str, Refusal]:
    """Field errors of a review (empty when it can be saved): only the checklist's items may
    be ticked; the note has a length limit; a review with nothing ticked must say something
    in the note (an empty review tells the manager nothing)."""
    errors: dict[str, Refusal] = {}
    known = {check.value for check in CHECKLIST}
    if set(ticked) - known:
        errors[ReviewField.CHECKLIST] = Refusal.TICK_LISTED_ITEMS
    if len(note.strip()) > MAX_NOTE:
        errors[ReviewField.NOTE] = Refusal.REVIEW_NOTE_TOO_LONG
    elif not (set(ticked) & known) and not note.strip():
        errors[ReviewField.NOTE] = Refusal.EMPTY_REVIEW
    return errors


def checklist_ratio(reviews: Iterable[Collection[str]]) -> Ratio:
    """Items ticked ÷ items reviewed: each review counts every item of the checklist."""
    done = of = 0
    for ticked in reviews:
        done += len(in_order(ticked))
        of += len(CHECKLIST)
    return Ratio(done, of)


def checklist_trend(
    by_cycle: Mapping[str, Sequence[Collection[str]]], cycles: Sequence[str]
) -> list[tuple[str, Ratio]]:
    """The checklist figure of each of `cycles` (oldest first): the reviews of that week's
    1:1s, items ticked ÷ items reviewed; a week without reviews is nothing to divide (—)."""
    return [(cycle, checklist_ratio(by_cycle.get(cycle, ()))) for cycle in cycles]


def window_total(trend: Sequence[tuple[str, Ratio]]) -> Ratio:
    """The checklist figure over the whole window: every review in it, pooled."""
    return sum((ratio for _, ratio in trend), NO_RATIO)
