"""The 1:1's halves: coaching first, accountability second, minutes split by the gap."""

from __future__ import annotations

import pytest

from app.rules.agenda import ONE_ON_ONE_MINUTES, Half, Part, plan, split
from app.rules.diagnosis import ADVICE
from app.rules.types import Gap


@pytest.mark.parametrize(
    ("gap", "coaching", "accountability"),
    [
        (Gap.SKILL, 21, 9),
        (Gap.KNOWLEDGE, 18, 12),
        (Gap.CLARITY, 15, 15),
        (Gap.WILL, 9, 21),
        (Gap.SYSTEM, 0, 30),
    ],
)
def test_a_30_minute_1_1_is_split_by_the_gap(gap: Gap, coaching: int, accountability: int) -> None:
    agenda = plan(gap)
    assert agenda.minutes == ONE_ON_ONE_MINUTES == 30
    assert (agenda.coaching, agenda.accountability) == (coaching, accountability)
    assert [h.half for h in agenda.halves][-1] is Half.ACCOUNTABILITY


@pytest.mark.parametrize("minutes", [1, 5, 15, 25, 29, 30, 31, 45, 50, 60, 90])
@pytest.mark.parametrize("gap", list(Gap))
def test_the_minutes_always_add_up_to_the_length(gap: Gap, minutes: int) -> None:
    agenda = plan(gap, minutes)
    assert agenda.coaching + agenda.accountability == minutes
    assert sum(h.minutes for h in agenda.halves) == minutes
    assert all(h.minutes > 0 for h in agenda.halves)


def test_rounding_is_half_up_and_the_rest_is_accountability() -> None:
    assert split(70, 25) == (18, 7)  # 17.5 → 18
    assert split(30, 25) == (8, 17)  # 7.5 → 8
    assert split(50, 45) == (23, 22)
    assert split(0, 30) == (0, 30) and split(100, 30) == (30, 0)
    with pytest.raises(ValueError):
        split(70, 0)
    with pytest.raises(ValueError):
        split(101, 30)


def test_coaching_comes_first_then_accountability() -> None:
    for gap in Gap:
        if ADVICE[gap].coaching_pct:
            assert [h.half for h in plan(gap).halves] == [Half.COACHING, Half.ACCOUNTABILITY]


def test_a_skill_gap_practises_the_drill_and_a_knowledge_gap_is_taught() -> None:
    assert plan(Gap.SKILL).halves[0].parts == (Part.GROW, Part.ROLE_PLAY)
    knowledge = plan(Gap.KNOWLEDGE).halves[0].parts
    assert knowledge[0] is Part.TEACH and Part.ROLE_PLAY not in knowledge


def test_a_clarity_gap_builds_the_shared_scorecard_in_its_accountability_half() -> None:
    accountability = plan(Gap.CLARITY).halves[1]
    assert accountability.half is Half.ACCOUNTABILITY
    assert Part.SCORECARD in accountability.parts
    assert all(Part.SCORECARD not in plan(g).halves[-1].parts for g in Gap if g is not Gap.CLARITY)


def test_a_system_gap_has_no_coaching_half_and_shows_the_managers_escalation() -> None:
    agenda = plan(Gap.SYSTEM)
    assert [h.half for h in agenda.halves] == [Half.ACCOUNTABILITY]
    assert Part.ESCALATE in agenda.halves[0].parts
    assert not ADVICE[Gap.SYSTEM].rep_drill


def test_accountability_checks_last_weeks_commitment_first_and_ends_with_the_new_one() -> None:
    for gap in Gap:
        accountability = plan(gap).halves[-1].parts
        assert accountability[0] is Part.CHECK_LAST and accountability[-1] is Part.COMMIT
