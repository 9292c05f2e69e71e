"""One focus at a time (docs/coaching-method.md, "One focus at a time"): a rep's focus
competency holds from week to week until a transfer score of 4+ moves it on; at week 3 without
a 4 the manager is asked to diagnose again rather than carry it on out of habit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.rules.rubric import MOVED_ON

REDIAGNOSE_WEEK = 3  # the target is 4+ within 3 weeks of a focus


class FocusedDiagnosis(Protocol):
    cycle_week: str
    focus_skill: str
    focus_key: str | None


def focus_identity(diagnosis: FocusedDiagnosis) -> str:
    """What makes two weeks' focus the same: the competency (or, for a focus typed before
    the rubric, its words, in any case)."""
    return diagnosis.focus_key or diagnosis.focus_skill.strip().lower()


@dataclass(frozen=True)
class FocusRun:
    key: str | None  # the competency's key (None: no focus yet, or a focus typed by hand)
    name: str | None  # as the last diagnosis named it
    cycles: tuple[str, ...]  # the diagnosed weeks on it, oldest first

    @property
    def weeks(self) -> int:
        return len(self.cycles)


NO_FOCUS = FocusRun(None, None, ())


def current_run(history: Sequence[FocusedDiagnosis]) -> FocusRun:
    """The focus of the latest diagnosis and the diagnosed weeks it has held for
    (`history` newest first; weeks without a diagnosis in between don't break it)."""
    if not history:
        return NO_FOCUS
    latest = history[0]
    same = focus_identity(latest)
    cycles: list[str] = []
    for diagnosis in history:
        if focus_identity(diagnosis) != same:
            break
        cycles.append(diagnosis.cycle_week)
    return FocusRun(latest.focus_key, latest.focus_skill, tuple(reversed(cycles)))


def transferred(run: FocusRun, scores: Mapping[str, int]) -> bool:
    """Whether a drill of the run scored 4+ (`scores`: cycle → transfer score)."""
    return any(scores.get(cycle, 0) >= MOVED_ON for cycle in run.cycles)


@dataclass(frozen=True)
class FocusAdvice:
    """What the next diagnosis starts from."""

    carry: bool  # keep the focus (False: it moved on, or there is none)
    week: int  # the week of the focus the next diagnosis would be, if carried
    rediagnose: bool  # week 3 or later and no 4 yet: walk the tree again


def advice(run: FocusRun, scores: Mapping[str, int]) -> FocusAdvice:
    """For a week after the run's last: carry the focus on, unless it transferred (then the
    next competency is suggested); from week 3 on without a 4, ask to diagnose again."""
    if run.key is None and run.name is None:
        return FocusAdvice(carry=False, week=1, rediagnose=False)
    done = transferred(run, scores)
    week = run.weeks + 1
    return FocusAdvice(carry=not done, week=week, rediagnose=not done and week >= REDIAGNOSE_WEEK)
