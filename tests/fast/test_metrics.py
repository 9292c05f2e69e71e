"""The coaching numbers and insights on a scripted four-week team, computed by hand.

Weeks are 2026-W44 … W48; "this week" is W48. Every expected figure below is worked out in
the comment next to it.
"""

from __future__ import annotations

from fractions import Fraction

from app.rules import insights, metrics
from app.rules.insights import Insight, Kind
from app.rules.metrics import Ratio, RepWeek
from app.rules.types import Gap
from app.slack.render.insight_words import advice, reason

NOW = "2026-W48"


def week(cycle: int, **fields: object) -> RepWeek:
    return RepWeek(f"2026-W{cycle}", **fields)  # type: ignore[arg-type]


def coached(
    cycle: int, focus: str, recorded: bool, transfer: int | None, **more: object
) -> RepWeek:
    return week(
        cycle,
        held=True,
        drill_assigned=True,
        drill_recorded=recorded,
        transfer=transfer,
        focus=focus,
        **more,
    )


# Ana: every drill recorded, transfer stuck at 1-2 on Discovery; paused in W47.
ANA = [
    coached(44, "Discovery", True, 1),
    coached(
        45,
        "Discovery",
        True,
        2,
        helpfulness=7,
        deals_asked=2,
        deals_moved=1,
        rubric={"Discovery": 1},
        diagnosed_before_notes=True,
    ),
    coached(46, "Discovery", True, 2, helpfulness=8, deals_asked=1, deals_moved=1),
    week(47, paused=True),
    coached(
        48,
        "discovery ",
        True,
        2,
        helpfulness=6,
        deals_asked=2,
        deals_moved=0,
        rubric={"Discovery": 2},
        gap=Gap.SKILL,
        diagnosed_before_notes=True,
    ),
]
# Ben: reached 4 in his second week on Closing, but records one drill in three.
BEN = [
    coached(45, "Closing", False, None, helpfulness=9),
    coached(46, "Closing", True, 4),
    coached(47, "Closing", False, None),
    week(48, held=False, focus="Closing", gap=Gap.SKILL),
]
# Chen: half the drills, transfer 3 then 3: flat.
CHEN = [
    coached(45, "Objection handling", True, 3),
    coached(46, "Objection handling", False, None),
    coached(47, "Objection handling", True, 3),
    coached(48, "Objection handling", False, None, gap=Gap.SKILL),
]
# Dev: paused this week.
DEV = [coached(46, "Multi-threading", True, 3), week(48, paused=True)]


def test_ratio_shows_a_dash_when_there_is_nothing_to_divide() -> None:
    assert Ratio(0, 0).label == "—" and Ratio(0, 0).value is None
    assert Ratio(0, 3).label == "0%"
    assert Ratio(2, 3).label == "67%"  # 66.7 rounds up
    assert Ratio(1, 8).label == "13%"  # 12.5 rounds half up
    assert Ratio(3, 3).label == "100%"


def test_ana_scorecard() -> None:
    card = metrics.scorecard(ANA, NOW)
    # Last 4 not-paused weeks: W44, W45, W46, W48 — all 4 assigned drills recorded.
    assert card.completion_4w == Ratio(4, 4)
    # The focus run: W44–W48 without W47 (paused), "discovery " is the same focus.
    assert card.focus == "discovery" and card.weeks_on_focus == 4
    assert card.completion_focus == Ratio(4, 4)
    assert card.transfers == (("2026-W44", 1), ("2026-W45", 2), ("2026-W46", 2), ("2026-W48", 2))
    assert card.weeks_to_transfer is None
    # Deals: 1 of 2, 1 of 1, 0 of 2 → 2 of 5.
    assert card.deal_progression_4w == Ratio(2, 5) and card.deal_progression_4w.label == "40%"
    # Helpfulness 7, 8, 6 → 3 ratings, average 7.
    assert card.helpfulness_avg == Fraction(7) and card.helpfulness_ratings == 3
    assert card.rubric == {"Discovery": (1, 2)}  # the trend, oldest first


def test_ben_scorecard_hides_a_single_helpfulness_rating() -> None:
    card = metrics.scorecard(BEN, NOW)
    assert card.completion_4w == Ratio(1, 3)  # W45, W46, W47 assigned; W46 recorded
    assert card.completion_4w.label == "33%"
    assert card.weeks_to_transfer == 2  # 4/5 in the second week on Closing
    assert card.helpfulness_avg is None and card.helpfulness_ratings == 1
    assert card.deal_progression_4w.label == "—"


def test_a_paused_week_is_neither_done_nor_missed() -> None:
    card = metrics.scorecard(DEV, NOW)
    assert card.paused and card.completion_4w == Ratio(1, 1)
    assert metrics.scorecard(ANA, "2026-W47").paused


def said(found: list[Insight]) -> list[tuple[Kind, str, str, str]]:
    """Each insight as a manager reads it: kind, subject, advice and reason."""
    return [(i.kind, i.subject, advice(i), reason(i)) for i in found]


def test_rep_insights_with_their_reasons() -> None:
    assert [(i.kind, i.subject, reason(i)) for i in insights.rep_insights("U0ANA", ANA, NOW)] == [
        (Kind.WRONG_DRILL, "U0ANA", "4/4 drills recorded, yet transfer is 2/5."),
        (Kind.STUCK_ON_FOCUS, "U0ANA", "4 weeks on discovery without a transfer of 4+."),
    ]
    assert insights.rep_insights("U0ANA", ANA, NOW)[0].ratio == Ratio(4, 4)
    assert said(insights.rep_insights("U0BEN", BEN, NOW)) == [
        (
            Kind.LOOKS_LIKE_WILL,
            "U0BEN",
            "Looks like a will gap: they can, but don't do the drill.",
            "Transfer 4/5 but only 1/3 drills recorded (33%).",
        )
    ]
    chen = insights.rep_insights("U0CHEN", CHEN, NOW)
    assert [(i.kind, reason(i)) for i in chen] == [
        (Kind.STUCK_ON_FOCUS, "4 weeks on Objection handling without a transfer of 4+."),
        (
            Kind.NOT_WORKING,
            "Over 4 weeks transfer went 3, 3 and drills recorded went 50% → 50%: neither improved.",
        ),
    ]
    assert chen[1].scores == (3, 3) and chen[1].halves == (Ratio(1, 2), Ratio(1, 2))
    assert insights.rep_insights("U0DEV", DEV, NOW) == []


def test_the_managers_week() -> None:
    this_week = [next(w for w in weeks if w.cycle == NOW) for weeks in (ANA, BEN, CHEN, DEV)]
    # Ana held, Ben logged as not held, Chen held, Dev paused → 2 of 3.
    covered = metrics.coverage(this_week)
    assert covered == Ratio(2, 3) and covered.label == "67%"
    # Reviewing W47 on Monday of W48: only Chen recorded (Ana was paused), and was scored.
    last_week = [next(w for w in weeks if w.cycle == "2026-W47") for weeks in (ANA, BEN, CHEN)]
    assert metrics.reviews_done(last_week) == Ratio(1, 1)
    # Held 1:1s this week: Ana (diagnosed first) and Chen (not) → 1 of 2.
    assert metrics.diagnosed_first(this_week) == Ratio(1, 2)
    gaps = {"U0ANA": Gap.SKILL, "U0BEN": Gap.SKILL, "U0CHEN": Gap.SKILL, "U0DEV": None}
    assert insights.team_insights("U0MAYA", gaps, covered) == [
        Insight(Kind.GROUP_DRILL, "skill", reps=3),
        Insight(Kind.UNDER_COVERED, "U0MAYA", ratio=Ratio(2, 3)),
    ]
    assert [reason(i) for i in insights.team_insights("U0MAYA", gaps, covered)] == [
        "3 reps have a skill gap.",
        "2 of 3 reps had a logged 1:1 (67%).",
    ]


def test_a_fully_covered_team_with_mixed_gaps_has_no_insight() -> None:
    gaps = {"a": Gap.SKILL, "b": Gap.WILL, "c": Gap.SKILL, "d": Gap.SYSTEM}
    assert insights.team_insights("U0M", gaps, Ratio(4, 4)) == []
    assert insights.team_insights("U0M", {}, Ratio(0, 0)) == []  # nobody active: "—", no alarm


def test_weeks_before_a_rep_joined_are_not_counted() -> None:
    newcomer = [week(46, enrolled=False), week(47, enrolled=False), coached(48, "Closing", True, 3)]
    assert metrics.coverage([newcomer[0]]) == Ratio(0, 0)  # "—", not 0%
    card = metrics.scorecard(newcomer, NOW)
    assert card.completion_4w == Ratio(1, 1) and card.weeks_on_focus == 1
    assert insights.rep_insights("U0NEW", newcomer, NOW) == []
