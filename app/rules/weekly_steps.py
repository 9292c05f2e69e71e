"""When each step of the week fires, in the person's local time, and the order they keep
(defaults: docs/coaching-method.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

from app.rules.types import Step, StepTime

DEFAULT_SCHEDULE: Mapping[Step, StepTime] = {
    Step.REP_PROMPT: StepTime(0, time(9, 0)),
    Step.MANAGER_REVIEW: StepTime(0, time(9, 0)),
    Step.REP_REMINDER: StepTime(0, time(15, 0)),
    Step.MANAGER_PREP: StepTime(1, time(9, 0)),
    Step.ONE_ON_ONE: StepTime(2, time(9, 0)),
    Step.NOTES_NUDGE: StepTime(2, time(17, 0)),
    Step.DRILL_CHECK: StepTime(4, time(12, 0)),
    Step.MANAGER_HEADS_UP: StepTime(4, time(16, 0)),
    Step.DIGEST: StepTime(4, time(17, 0)),
}


def effective_schedule(
    workspace_overrides: Iterable[tuple[Step, StepTime]] = (),
    team_overrides: Iterable[tuple[Step, StepTime]] = (),
) -> dict[Step, StepTime]:
    """Defaults, then the workspace's changes, then the team's: the last word wins."""
    schedule = dict(DEFAULT_SCHEDULE)
    schedule.update(workspace_overrides)
    schedule.update(team_overrides)
    return schedule


# The words people type for each step in `/coach schedule <step> <day> <HH:MM>`.
STEP_WORDS: Mapping[str, Step] = {
    "prompt": Step.REP_PROMPT,
    "review": Step.MANAGER_REVIEW,
    "reminder": Step.REP_REMINDER,
    "prep": Step.MANAGER_PREP,
    "1:1": Step.ONE_ON_ONE,
    "notes-nudge": Step.NOTES_NUDGE,
    "drill-check": Step.DRILL_CHECK,
    "heads-up": Step.MANAGER_HEADS_UP,
    "digest": Step.DIGEST,
}
WORD_OF: Mapping[Step, str] = {step: word for word, step in STEP_WORDS.items()}

# What each message is called when coach talks about it (transcripts, delivery reports).
STEP_NAMES: Mapping[Step, str] = {
    Step.REP_PROMPT: "deal prompt",
    Step.MANAGER_REVIEW: "drill review",
    Step.REP_REMINDER: "reminder",
    Step.PROMPT_AGAIN: "snoozed prompt",
    Step.MANAGER_PREP: "team prep",
    Step.ONE_ON_ONE: "1:1 agenda",
    Step.NOTES_NUDGE: "notes nudge",
    Step.DRILL_CARD: "drill card",
    Step.COACHING_REVIEW: "coaching review",
    Step.FEEDBACK_NOTE: "feedback",
    Step.DRILL_CHECK: "drill check",
    Step.MANAGER_HEADS_UP: "heads-up",
    Step.DIGEST: "digest",
    Step.CRM_DRILL_SET: "CRM write-back (drill set)",
    Step.CRM_DRILL_RECORDED: "CRM write-back (drill recorded)",
}

# Each pair must stay in this order within a week, or the loop stops making sense.
ORDER: tuple[tuple[Step, Step], ...] = (
    (Step.REP_PROMPT, Step.REP_REMINDER),
    (Step.REP_PROMPT, Step.MANAGER_PREP),
    (Step.REP_REMINDER, Step.MANAGER_PREP),
    (Step.MANAGER_REVIEW, Step.MANAGER_PREP),
    (Step.MANAGER_PREP, Step.ONE_ON_ONE),
    (Step.ONE_ON_ONE, Step.NOTES_NUDGE),
    (Step.ONE_ON_ONE, Step.DRILL_CHECK),
    (Step.DRILL_CHECK, Step.MANAGER_HEADS_UP),
)


# A follower keeps its time of day and moves to its leader's day (or the next one).
FOLLOWERS: Mapping[Step, Step] = {
    Step.REP_PROMPT: Step.REP_REMINDER,
    Step.ONE_ON_ONE: Step.NOTES_NUDGE,
}


def moved(schedule: Mapping[Step, StepTime], step: Step, when: StepTime) -> dict[Step, StepTime]:
    """The schedule with `step` at `when`, its follower (if any) moved along with it."""
    changed = {**schedule, step: when}
    follower = FOLLOWERS.get(step)
    if follower is not None:
        at = schedule[follower].at
        day = when.weekday if at > when.at else when.weekday + 1
        changed[follower] = StepTime(min(day, 6), at)
    return changed


@dataclass(frozen=True)
class OrderProblem:
    """Moving `step` would put it on the wrong side of `other` (which is at `at`)."""

    step: str  # the moved step's word
    before: bool  # True: it must come before `other`; False: after
    other: str  # the step in the way, as a word
    at: str  # when that step is, as a label


def order_problem(schedule: Mapping[Step, StepTime], changed: Step) -> OrderProblem | None:
    """What moving `changed` breaks in the week's order, else None."""
    for first, then in ORDER:
        if changed not in (first, then) or schedule[first] < schedule[then]:
            continue
        other = then if changed is first else first
        return OrderProblem(
            WORD_OF[changed], changed is first, WORD_OF[other], schedule[other].label
        )
    return None
