"""Deal progression from the CRM's stage history: did a coached deal move forward in its
pipeline within 7 days after the 1:1?

Forward means into a stage later in the same pipeline than the one the deal was in when the
1:1 was logged; closed-won counts, closed-lost never does. A deal that moved is settled at
once; one that did not is settled only once its stage history has been read past the end of
the 7 days (until then it is not counted either way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class StagePlace:
    position: int
    closed: bool
    won: bool


@dataclass(frozen=True)
class Move:
    stage_id: str
    at: datetime


def stage_at(history: Sequence[Move], moment: datetime, fallback: str | None) -> str | None:
    """The stage a deal was in at `moment`: the last move at or before it."""
    before = [m for m in history if m.at <= moment]
    return max(before, key=lambda m: m.at).stage_id if before else fallback


def moved_forward(
    history: Sequence[Move],
    stages: Mapping[str, StagePlace],
    coached_at: datetime,
    fallback_stage: str | None,
    read_through: datetime | None,
) -> bool | None:
    """True if the deal moved forward in (coached_at, coached_at + 7 days]; False once its
    history was read past that and it had not; None while it may still move."""
    start = stage_at(history, coached_at, fallback_stage)
    origin = stages.get(start) if start is not None else None
    end = coached_at + WINDOW
    if origin is not None:
        for move in history:
            if not coached_at < move.at <= end:
                continue
            place = stages.get(move.stage_id)
            if place is None or (place.closed and not place.won):
                continue
            if place.position > origin.position:
                return True
    if read_through is not None and read_through >= end:
        return False
    return None
