"""The words of each insight: what to do, and the figures that say why."""

from __future__ import annotations

from app.rules.insights import Insight, Kind
from app.rules.metrics import TRANSFERRED, WINDOW, Ratio

ADVICE = {
    Kind.WRONG_DRILL: "The drill may be wrong or practised wrong: re-diagnose.",
    Kind.LOOKS_LIKE_WILL: "Looks like a will gap: they can, but don't do the drill.",
    Kind.STUCK_ON_FOCUS: "Same focus for weeks without a 4: re-diagnose.",
    Kind.NOT_WORKING: "Coaching isn't working: change the approach, not the pressure.",
    Kind.GROUP_DRILL: "Several reps share this gap: run one group drill.",
    Kind.UNDER_COVERED: "Not every rep got a 1:1 this week.",
}


def advice(insight: Insight) -> str:
    return ADVICE[insight.kind]


def _ratio(ratio: Ratio | None) -> Ratio:
    return ratio if ratio is not None else Ratio(0, 0)


def reason(insight: Insight) -> str:
    """The figures behind the insight, in one sentence."""
    drills = _ratio(insight.ratio)
    match insight.kind:
        case Kind.WRONG_DRILL:
            return f"{drills.done}/{drills.of} drills recorded, yet transfer is {insight.latest}/5."
        case Kind.LOOKS_LIKE_WILL:
            return (
                f"Transfer {insight.latest}/5 but only {drills.done}/{drills.of} drills recorded "
                f"({drills.label})."
            )
        case Kind.STUCK_ON_FOCUS:
            return f"{insight.weeks} weeks on {insight.focus} without a transfer of {TRANSFERRED}+."
        case Kind.NOT_WORKING:
            early, late = insight.halves or (Ratio(0, 0), Ratio(0, 0))
            scores = ", ".join(str(score) for score in insight.scores)
            return (
                f"Over {WINDOW} weeks transfer went {scores} and drills recorded went "
                f"{early.label} → {late.label}: neither improved."
            )
        case Kind.GROUP_DRILL:
            return f"{insight.reps} reps have a {insight.subject} gap."
        case Kind.UNDER_COVERED:
            return f"{drills.done} of {drills.of} reps had a logged 1:1 ({drills.label})."
