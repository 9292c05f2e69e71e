"""How fast coach sends to one workspace, learned from Slack's answers (additive increase,
multiplicative decrease, with a slow start), so no admin needs to know Slack's ceiling.

- A workspace starts at a safe rate (COACH_SEND_START_PER_MINUTE, 60 by default: about one
  a second, which Slack always accepts).
- While senders want more than the pace allows and Slack accepts everything, the rate goes up
  every `PROBE_EVERY`: doubling until the first 429 (slow start), then by a small step of the
  ceiling that 429 showed, probing for more.
- A 429 cuts it: by half the first time (slow start overshoots), by `CUT` after that, and the
  rate that drew the 429 becomes the ceiling. The 429s of one overload (every post in flight
  answered 429 at once) cut once; the Retry-After pause is kept apart (app/db/pace.py).
- For a minute after a cut, posts go one at a time, never in batches: Slack counts a minute,
  and the minute after a 429 is full of what coach sent, so a batch sent into it would draw a
  429 for every post of it. One at a time, a 429 costs one post.
- What a workspace sustained is kept (in `send_pace`, shared by every replica), so next
  Monday starts from it, not from the safe rate again.
- COACH_SEND_RATE_PER_MINUTE, when set, caps the rate: a start at or above the cap is a
  fixed rate, as before this rule (`sending_pace` in app/db/pace.py): a 429 pauses it for
  Retry-After and cuts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

HARD_MAX_PER_MINUTE = 6_000.0  # far above Slack's "several hundred a minute" per workspace
FLOOR_PER_MINUTE = 20.0  # a cut never goes below this
PROBE_EVERY = timedelta(seconds=10)
SLOW_START = 2.0  # × per probe, before any 429
FIRST_CUT = 0.5
CUT = 0.85
PROBE_STEP = 0.02  # of the ceiling, per probe, after a 429
RECOVERY = timedelta(minutes=1)  # Slack's window: one post at a time this long after a cut


@dataclass(frozen=True)
class Pace:
    per_minute: float
    ceiling: float | None = None  # the rate the last 429 answered (None: none seen yet)
    raised_at: datetime | None = None  # when the rate last went up
    cut_at: datetime | None = None  # … and down

    def limited(self, cap: float | None) -> float:
        """The rate to send at: the learned one, under the cap."""
        return min(self.per_minute, cap or HARD_MAX_PER_MINUTE)

    def recovering(self, now: datetime) -> bool:
        """Within a minute of a cut: Slack's window still holds the overload."""
        return self.cut_at is not None and now - self.cut_at < RECOVERY


def started(start_per_minute: float, cap: float | None) -> Pace:
    """A workspace coach has not sent to yet."""
    return Pace(min(start_per_minute, cap or HARD_MAX_PER_MINUTE))


def raised(pace: Pace, now: datetime, cap: float | None) -> Pace:
    """Senders wanted more than the pace gave and Slack refused nothing: go up, at most once
    every `PROBE_EVERY`, never past the cap."""
    top = cap or HARD_MAX_PER_MINUTE
    if pace.per_minute >= top:
        return pace
    last = max((t for t in (pace.raised_at, pace.cut_at) if t is not None), default=None)
    if last is not None and now - last < PROBE_EVERY:
        return pace
    if pace.ceiling is None:
        higher = pace.per_minute * SLOW_START
    else:
        higher = pace.per_minute + PROBE_STEP * pace.ceiling
    return Pace(min(higher, top), pace.ceiling, now, pace.cut_at)


def cut(pace: Pace, now: datetime) -> Pace:
    """Slack answered 429 at this pace: come down (once per overload)."""
    if pace.cut_at is not None and now - pace.cut_at < PROBE_EVERY:
        return pace  # another post of the same overload: the pause covers it
    factor = FIRST_CUT if pace.ceiling is None else CUT
    lower = max(FLOOR_PER_MINUTE, pace.per_minute * factor)
    return Pace(lower, ceiling=pace.per_minute, raised_at=pace.raised_at, cut_at=now)
