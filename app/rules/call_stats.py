"""Numbers from recorded calls: a week's averages, the leading indicator that goes with a
focus skill, and whether it moved the right way.

The recorder reports per call: the rep's share of the talk, the longest monologue, how
interactive the call was, patience (how long the rep waits before answering), the rep's
questions per hour, and how many people from outside the company were on it. Averages skip
calls that lack a number (not every account has every stat)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from statistics import fmean
from zoneinfo import ZoneInfo

from app.rules import calendar

AVERAGE_WEEKS = 4  # the rep's own baseline: the four weeks before the one shown
RECENT_CALLS = 3  # what the manager listens to first
FLAT = 0.05  # a change under 5% of the baseline is no change


class Stat(StrEnum):
    TALK_RATIO = "talk_ratio"
    LONGEST_MONOLOGUE = "longest_monologue_s"
    INTERACTIVITY = "interactivity"
    PATIENCE = "patience_s"
    QUESTION_RATE = "question_rate"
    BUYERS = "buyers"


# Where a smaller number is the better behaviour; for the rest, bigger is better.
LOWER_IS_BETTER = frozenset({Stat.TALK_RATIO, Stat.LONGEST_MONOLOGUE})

# The behaviour each rubric competency moves first, visible on calls before quota moves.
INDICATOR_BY_FOCUS = {
    "discovery": Stat.QUESTION_RATE,
    "objection handling": Stat.LONGEST_MONOLOGUE,
    "multi-threading": Stat.BUYERS,
    "closing": Stat.TALK_RATIO,
}
DEFAULT_INDICATOR = Stat.TALK_RATIO


def indicator_for(focus: str | None) -> Stat:
    """The leading indicator of a focus skill (talk ratio for one of the team's own)."""
    return INDICATOR_BY_FOCUS.get((focus or "").strip().lower(), DEFAULT_INDICATOR)


@dataclass(frozen=True)
class CallNumbers:
    """One call's numbers, or an average of several (None: no call had it)."""

    talk_ratio: float | None = None
    longest_monologue_s: float | None = None
    interactivity: float | None = None
    patience_s: float | None = None
    question_rate: float | None = None
    buyers: float | None = None

    def get(self, stat: Stat) -> float | None:
        value: float | None = getattr(self, stat.value)
        return value

    @property
    def empty(self) -> bool:
        return all(self.get(stat) is None for stat in Stat)


def average(numbers: Iterable[CallNumbers]) -> CallNumbers:
    """The mean of each number over the calls that have it."""
    rows = list(numbers)
    means: dict[str, float | None] = {}
    for item in fields(CallNumbers):
        present = [v for row in rows if (v := getattr(row, item.name)) is not None]
        means[item.name] = fmean(present) if present else None
    return CallNumbers(**means)


@dataclass(frozen=True)
class Call:
    """A recorded call as coach shows it: a link, never the recording."""

    id: int
    url: str
    title: str
    started_at: datetime
    duration_s: int
    numbers: CallNumbers


@dataclass(frozen=True)
class Trend:
    """A leading indicator this week against the rep's own average of the weeks before."""

    stat: Stat
    this_week: float | None
    baseline: float | None  # mean of the earlier weeks' averages (those with calls)
    baseline_weeks: int

    @property
    def change(self) -> float | None:
        """The relative change from the baseline (0.2 = 20% up)."""
        if self.this_week is None or not self.baseline:
            return None
        return (self.this_week - self.baseline) / abs(self.baseline)

    @property
    def better(self) -> bool | None:
        """True when the behaviour moved the right way, False the wrong way, None when it
        held (or there is nothing to compare)."""
        change = self.change
        if change is None or abs(change) < FLAT:
            return None
        return (change < 0) if self.stat in LOWER_IS_BETTER else (change > 0)


def trend(stat: Stat, this_week: CallNumbers, earlier: Sequence[CallNumbers]) -> Trend:
    """`stat` this week against the mean of `earlier` weekly averages that have it."""
    values = [v for week in earlier if (v := week.get(stat)) is not None]
    return Trend(stat, this_week.get(stat), fmean(values) if values else None, len(values))


@dataclass(frozen=True)
class Window:
    """A span of time, start included, end not."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def evidence_week(cycle: str, tz: ZoneInfo) -> Window:
    """The week whose calls a cycle coaches: the local week before the cycle's Monday."""
    return local_week(calendar.monday_of(cycle) - timedelta(days=7), tz)


def local_week(monday: date, tz: ZoneInfo) -> Window:
    start = calendar.local_instant(monday, time(0, 0), tz)
    end = calendar.local_instant(monday + timedelta(days=7), time(0, 0), tz)
    return Window(start, end)


def earlier_weeks(cycle: str, tz: ZoneInfo, count: int = AVERAGE_WEEKS) -> list[Window]:
    """The `count` weeks before the evidence week of `cycle`, newest first."""
    monday = calendar.monday_of(cycle) - timedelta(days=7)
    return [local_week(monday - timedelta(days=7 * n), tz) for n in range(1, count + 1)]


def next_read(start: datetime, end: datetime, tz: ZoneInfo) -> Window:
    """The next span of calls to read from `start`: up to the first local Monday 00:00 after
    it, and never past `end` (a week is read once, whole)."""
    local = start.astimezone(tz)
    monday = local.date() + timedelta(days=7 - local.weekday())
    return Window(start, min(end, calendar.local_instant(monday, time(0, 0), tz)))


def baseline_start(cycle: str, tz: ZoneInfo) -> datetime:
    """Where a rep's calls are read from the first time: the earliest week of the baseline."""
    return earlier_weeks(cycle, tz)[-1].start
