"""When each step of the week fires, in the person's local time (defaults from DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time

from app.domain.types import Step, StepTime

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
