"""Reading the numbers together (docs/coaching-method.md): each insight names what to do and why.

Pure: figures in, `Insight`s out, each with the figures behind it; the renderer
(`app/slack/render/insight_words.py`) words the advice and the reason, always shown together so
a manager can check them against what they know.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.rules.metrics import (
    TRANSFERRED,
    WINDOW,
    Ratio,
    RepWeek,
    completion,
    focus_weeks,
    last_weeks,
)
from app.rules.types import Gap

WILL_GAP_BELOW = 60  # % completion under which a 4+ transfer looks like a will gap
GROUP_DRILL_FROM = 3  # reps of one manager with the same gap


class Kind(StrEnum):
    WRONG_DRILL = "wrong_drill"
    LOOKS_LIKE_WILL = "looks_like_will"
    STUCK_ON_FOCUS = "stuck_on_focus"
    NOT_WORKING = "not_working"
    GROUP_DRILL = "group_drill"
    UNDER_COVERED = "under_covered"


@dataclass(frozen=True)
class Insight:
    kind: Kind
    subject: str  # the rep's or manager's Slack id; the gap for a group drill
    ratio: Ratio | None = None  # drills recorded ÷ assigned over the window; or coverage
    latest: int | None = None  # the latest transfer score
    weeks: int = 0  # weeks on the focus
    focus: str = ""
    scores: tuple[int, ...] = ()  # transfer scores over the window, oldest first
    halves: tuple[Ratio, Ratio] | None = None  # drill completion, first half → second half
    reps: int = 0  # reps sharing the gap


def _scores(weeks: Sequence[RepWeek]) -> tuple[int, ...]:
    return tuple(w.transfer for w in weeks if w.transfer is not None)


def rep_insights(rep: str, weeks: Sequence[RepWeek], cycle: str) -> list[Insight]:
    """Insights about one rep as of `cycle`, over their last WINDOW not-paused weeks."""
    window = last_weeks(weeks, cycle)
    found: list[Insight] = []
    done = completion(window)
    scored = [w for w in window if w.transfer is not None]
    latest = scored[-1].transfer if scored else None

    if done.of >= 2 and done.done == done.of and latest is not None and latest <= 2:
        found.append(Insight(Kind.WRONG_DRILL, rep, ratio=done, latest=latest))
    if (
        latest is not None
        and latest >= TRANSFERRED
        and done.percent is not None
        and done.percent < WILL_GAP_BELOW
    ):
        found.append(Insight(Kind.LOOKS_LIKE_WILL, rep, ratio=done, latest=latest))
    run = focus_weeks(weeks, cycle)
    focus = (run[-1].focus or "").strip() if run else ""
    reached = any(w.transfer is not None and w.transfer >= TRANSFERRED for w in run)
    if len(run) >= WINDOW and not reached:
        found.append(Insight(Kind.STUCK_ON_FOCUS, rep, weeks=len(run), focus=focus))
    if _flat(window):
        halves = (completion(window[:2]), completion(window[2:]))
        found.append(Insight(Kind.NOT_WORKING, rep, scores=_scores(window), halves=halves))
    return found


def _flat(window: Sequence[RepWeek]) -> bool:
    """Both flat over WINDOW weeks: the latest transfer score no higher than the first (and
    under 4), and drill completion in the second half no better than in the first (and
    under 100%). Only recorded drills get scored, so not every week has a score."""
    scores = [w.transfer for w in window if w.transfer is not None]
    if len(window) < WINDOW or len(scores) < 2:
        return False
    early, late = completion(window[: WINDOW // 2]), completion(window[WINDOW // 2 :])
    if early.value is None or late.value is None:
        return False
    transfer_rose = scores[-1] > scores[0]
    drills_rose = late.value > early.value
    return not transfer_rose and not drills_rose and scores[-1] < TRANSFERRED and late.value < 1


def team_insights(
    manager: str,
    gaps: Mapping[str, Gap | None],
    coverage: Ratio,
    *,
    one_on_ones_due: bool = True,
) -> list[Insight]:
    """Insights about a manager's team this week: shared gaps, and coverage under 100% once
    the week's 1:1 notes were due (before the 1:1s, nobody is missing one)."""
    found: list[Insight] = []
    counts = Counter(gap for gap in gaps.values() if gap is not None)
    for gap, count in sorted(counts.items(), key=lambda item: (-item[1], item[0].value)):
        if count >= GROUP_DRILL_FROM and gap is not Gap.SYSTEM:
            found.append(Insight(Kind.GROUP_DRILL, gap.value, reps=count))
    if one_on_ones_due and coverage.percent is not None and coverage.percent < 100:
        found.append(Insight(Kind.UNDER_COVERED, manager, ratio=coverage))
    return found
