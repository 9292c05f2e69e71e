"""Coaching the coaches: the checklist, what coach pre-ticks, the checks, the trend figure."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.coaching_review import (
    CHECKLIST,
    Check,
    RecordFacts,
    check_review,
    checklist_ratio,
    checklist_trend,
    has_number,
    in_order,
    pre_ticked,
    window_total,
)
from app.rules.form_fields import ReviewField
from app.rules.metrics import Ratio
from app.rules.refusals import Refusal
from app.services.coaching_reviews import ReviewMessage
from app.slack.render.review_words import ASKED, DONE, PRE_TICKED, TO_WORK_ON
from app.slack.render.team_messages import coaching_review

FULL = RecordFacts(
    focus_skill="Objection handling",
    evidence_url="https://app.gong.io/call?id=1",
    commitment="Use the reframe on three calls",
    accountability=None,
    follow_up_on=date(2026, 12, 2),
)


def test_the_checklist_is_six_items_in_the_methods_order() -> None:
    assert [c.value for c in CHECKLIST] == [
        "one_focus",
        "call_evidence",
        "rep_options",
        "measurable",
        "follow_up",
        "talk_under_40",
    ]
    for words in (ASKED, DONE, TO_WORK_ON):
        assert set(words) == set(CHECKLIST)
    assert all(len(text) <= 75 for text in (*ASKED.values(), *PRE_TICKED.values()))


def test_coach_pre_ticks_only_what_the_record_shows() -> None:
    assert pre_ticked(FULL) == {
        Check.ONE_FOCUS,
        Check.CALL_EVIDENCE,
        Check.MEASURABLE,
        Check.FOLLOW_UP,
    }
    bare = RecordFacts(None, None, "Ask for the meeting", None, None)
    assert pre_ticked(bare) == frozenset()
    # The number may be in the accountability instead; a system gap has no evidence link.
    split = RecordFacts("Closing", "  ", "Ask for the date", "Hold Acme at $40K", None)
    assert pre_ticked(split) == {Check.ONE_FOCUS, Check.MEASURABLE}
    # Coach never knows who came up with the options or how much the manager talked.
    assert not pre_ticked(FULL) & {Check.REP_OPTIONS, Check.TALK_UNDER_40}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("use option two on three discovery calls", True),
        ("record it 3 times", True),
        ("Call them twice", True),
        ("be more confident", False),
        ("someone", False),  # "one" inside a word is no number
        ("", False),
        (None, False),
    ],
)
def test_a_measurable_commitment_names_a_number(text: str | None, number: bool) -> None:
    assert has_number(text) is number


def test_a_review_is_refused_when_empty_unknown_or_too_long() -> None:
    assert check_review({"one_focus"}, "") == {}
    assert check_review(set(), "Ask more, tell less.") == {}
    assert check_review(set(), "  ") == {ReviewField.NOTE: Refusal.EMPTY_REVIEW}
    assert check_review({"one_focus", "made_up"}, "") == {
        ReviewField.CHECKLIST: Refusal.TICK_LISTED_ITEMS
    }
    # Only unknown items ticked: nothing real is ticked, so the note is wanted too.
    assert check_review({"made_up"}, "") == {
        ReviewField.CHECKLIST: Refusal.TICK_LISTED_ITEMS,
        ReviewField.NOTE: Refusal.EMPTY_REVIEW,
    }
    assert check_review({"one_focus"}, "x" * 1001) == {
        ReviewField.NOTE: Refusal.REVIEW_NOTE_TOO_LONG
    }
    assert check_review({"one_focus"}, "x" * 1000) == {}


def test_the_trend_is_items_ticked_over_items_reviewed_per_week() -> None:
    four = ["one_focus", "call_evidence", "measurable", "follow_up"]
    assert checklist_ratio([four]) == Ratio(4, 6)
    assert checklist_ratio([four, ["rep_options"], []]) == Ratio(5, 18)
    assert checklist_ratio([]) == Ratio(0, 0)
    assert checklist_ratio([["one_focus", "bogus"]]) == Ratio(1, 6)  # only checklist items
    cycles = ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    trend = checklist_trend({"2026-W46": [four], "2026-W48": [four, list(CHECKLIST)]}, cycles)
    assert [(c, r.label) for c, r in trend] == [
        ("2026-W45", "—"),
        ("2026-W46", "67%"),
        ("2026-W47", "—"),
        ("2026-W48", "83%"),  # (4 + 6) / 12
    ]
    assert window_total(trend) == Ratio(14, 18)


def test_in_order_keeps_the_checklists_order() -> None:
    assert in_order({"follow_up", "one_focus", "nope"}) == [Check.ONE_FOCUS, Check.FOLLOW_UP]


def test_the_managers_dm_says_who_reviewed_what_in_words() -> None:
    message = coaching_review(
        ReviewMessage(
            manager="U0MAYA",
            director="U0DANA",
            rep="U0ANA",
            cycle="2026-W48",
            ticked=(Check.ONE_FOCUS, Check.FOLLOW_UP),
            missed=(Check.CALL_EVIDENCE, Check.REP_OPTIONS, Check.MEASURABLE, Check.TALK_UNDER_40),
            note="Great focus; let Ana find the options.",
        )
    )
    assert message.text == (
        "<@U0DANA> reviewed your 1:1 with <@U0ANA> (week 2026-W48): "
        "2 of 6 on the coaching checklist."
    )
    said = str(message.blocks)
    assert "✓ You worked on one focus skill" in said and "✓ You set a follow-up" in said
    assert "✗ Let the rep come up with the options" in said
    assert "Great focus; let Ana find the options." in said
