"""The 1:1's two labelled halves: coaching first (me helping you get better), accountability
second (us holding the number), each with its minutes, split by the gap's coaching share
(`ADVICE`). The words of each part are the renderer's; which parts, in what order, and how
long each half runs are decided here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.rules.diagnosis import ADVICE
from app.rules.types import Gap

ONE_ON_ONE_MINUTES = 30  # the method's 1:1; a parameter everywhere, so it can be edited


class Half(StrEnum):
    COACHING = "coaching"  # me helping you get better
    ACCOUNTABILITY = "accountability"  # us holding the number


class Part(StrEnum):
    """One thing a half of the 1:1 does."""

    TEACH = "teach"  # a knowledge gap: what good looks like, not role-play
    GROW = "grow"  # goal, reality, options, will on the clip
    ROLE_PLAY = "role_play"  # practise the drill before the end
    CHECK_LAST = "check_last"  # last week's commitment, and what its follow-up checks
    PIPELINE = "pipeline"  # where each open deal stands
    SCORECARD = "scorecard"  # a clarity gap: the number, the deals, the date, written together
    ESCALATE = "escalate"  # a system gap: the manager's own action, no drill for the rep
    COMMIT = "commit"  # one sentence: the commitment and the number, and the follow-up


COACHING_PARTS: dict[Gap, tuple[Part, ...]] = {
    Gap.SKILL: (Part.GROW, Part.ROLE_PLAY),
    Gap.KNOWLEDGE: (Part.TEACH, Part.GROW),
    Gap.CLARITY: (Part.GROW, Part.ROLE_PLAY),
    Gap.SYSTEM: (),  # not the rep's to fix: no coaching half
    Gap.WILL: (Part.GROW,),
}
ACCOUNTABILITY_PARTS: dict[Gap, tuple[Part, ...]] = {
    Gap.SKILL: (Part.CHECK_LAST, Part.PIPELINE, Part.COMMIT),
    Gap.KNOWLEDGE: (Part.CHECK_LAST, Part.PIPELINE, Part.COMMIT),
    Gap.CLARITY: (Part.CHECK_LAST, Part.SCORECARD, Part.COMMIT),
    Gap.SYSTEM: (Part.CHECK_LAST, Part.PIPELINE, Part.ESCALATE, Part.COMMIT),
    Gap.WILL: (Part.CHECK_LAST, Part.PIPELINE, Part.COMMIT),
}


@dataclass(frozen=True)
class AgendaHalf:
    half: Half
    minutes: int
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class OneOnOnePlan:
    gap: Gap
    minutes: int  # the whole 1:1
    halves: tuple[AgendaHalf, ...]  # coaching first; a half of no minutes is left out

    @property
    def coaching(self) -> int:
        return sum(h.minutes for h in self.halves if h.half is Half.COACHING)

    @property
    def accountability(self) -> int:
        return sum(h.minutes for h in self.halves if h.half is Half.ACCOUNTABILITY)


def split(coaching_pct: int, minutes: int) -> tuple[int, int]:
    """Coaching and accountability minutes, rounded half up, always adding up to `minutes`."""
    if minutes < 1 or not 0 <= coaching_pct <= 100:
        raise ValueError(f"no split of {minutes} min at {coaching_pct}%")
    coaching = (2 * minutes * coaching_pct + 100) // 200
    return coaching, minutes - coaching


def plan(gap: Gap, minutes: int = ONE_ON_ONE_MINUTES) -> OneOnOnePlan:
    """The 1:1 a gap calls for: skill ~70/30, will ~30/70, the others as `ADVICE` says."""
    coaching, accountability = split(ADVICE[gap].coaching_pct, minutes)
    halves = (
        AgendaHalf(Half.COACHING, coaching, COACHING_PARTS[gap]),
        AgendaHalf(Half.ACCOUNTABILITY, accountability, ACCOUNTABILITY_PARTS[gap]),
    )
    return OneOnOnePlan(gap, minutes, tuple(h for h in halves if h.minutes))
