"""Numbers from recorded calls: averages that skip what a call lacks, the leading indicator
of each focus, which way is better, and the weeks a cycle coaches in the rep's own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.rules.call_stats import (
    CallNumbers,
    Stat,
    average,
    earlier_weeks,
    evidence_week,
    indicator_for,
    trend,
)
from app.services.call_evidence import Indicator
from app.slack.render.call_words import indicator_line, link_text, stat_value


def test_an_average_skips_calls_without_the_number() -> None:
    mean = average([CallNumbers(talk_ratio=0.6), CallNumbers(talk_ratio=0.4, patience_s=1.0)])
    assert mean.talk_ratio == pytest.approx(0.5) and mean.patience_s == 1.0
    assert mean.question_rate is None and average([]).empty


@pytest.mark.parametrize(
    ("focus", "stat"),
    [
        ("Discovery", Stat.QUESTION_RATE),
        (" objection handling ", Stat.LONGEST_MONOLOGUE),
        ("Multi-threading", Stat.BUYERS),
        ("Closing", Stat.TALK_RATIO),
        ("Our own pricing talk", Stat.TALK_RATIO),
        (None, Stat.TALK_RATIO),
    ],
)
def test_each_focus_has_its_leading_indicator(focus: str | None, stat: Stat) -> None:
    assert indicator_for(focus) is stat


def test_better_is_up_for_questions_and_down_for_monologues() -> None:
    earlier = [CallNumbers(question_rate=10, longest_monologue_s=120)] * 2 + [CallNumbers()]
    week = CallNumbers(question_rate=13, longest_monologue_s=150)
    questions = trend(Stat.QUESTION_RATE, week, earlier)
    assert questions.baseline == 10 and questions.baseline_weeks == 2
    assert questions.change == pytest.approx(0.3) and questions.better is True
    assert trend(Stat.LONGEST_MONOLOGUE, week, earlier).better is False
    held = trend(Stat.QUESTION_RATE, CallNumbers(question_rate=10.2), earlier)
    assert held.better is None  # under 5%: no change
    assert trend(Stat.QUESTION_RATE, CallNumbers(), earlier).change is None


def test_the_week_a_cycle_coaches_is_the_local_week_before_it() -> None:
    berlin = evidence_week("2026-W48", ZoneInfo("Europe/Berlin"))
    assert berlin.start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)  # Mon 16 Nov, 00:00 CET
    assert berlin.end == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    la = evidence_week("2026-W48", ZoneInfo("America/Los_Angeles"))
    assert la.start == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    before = earlier_weeks("2026-W48", ZoneInfo("UTC"))
    assert [w.start.day for w in before] == [9, 2, 26, 19] and before[0].end.day == 16


def test_numbers_and_lines_read_as_people_say_them() -> None:
    assert stat_value(Stat.TALK_RATIO, 0.564) == "56%"
    assert stat_value(Stat.LONGEST_MONOLOGUE, 155) == "2:35"
    assert stat_value(Stat.QUESTION_RATE, 11.6) == "12/h"
    assert stat_value(Stat.PATIENCE, None) == "–"
    shown = Indicator("Discovery", trend(Stat.QUESTION_RATE, CallNumbers(question_rate=12),
                                        [CallNumbers(question_rate=9)]))  # fmt: skip
    assert indicator_line(shown) == (
        "Questions (Discovery) last week: 12/h, your 1-week average 9/h: ↑ 33%, the right way."
    )
    first = Indicator(None, trend(Stat.TALK_RATIO, CallNumbers(talk_ratio=0.5), []))
    assert indicator_line(first, who="their").endswith("no earlier weeks to compare yet.")
    assert link_text("Acme <CFO> | R&D") == "Acme &lt;CFO&gt; / R&amp;D"
