"""The coaching numbers (docs/coaching-method.md, "The numbers"),
computed exactly from plain records.

Pure: the loader (`app/services/scorecard_data.py`) reads the store and hands over one
`RepWeek` per rep and cycle; everything here is arithmetic on those. Paused weeks drop out of
every figure (they are neither done nor missed), and a figure with nothing to divide by is
`None`, shown as "—".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from app.rules import rubric
from app.rules.practice import Practice
from app.rules.types import Gap

WINDOW = 4  # weeks in "the last 4 weeks"
TRANSFERRED = 4  # a transfer score of 4+ means the skill carried over
MIN_RATINGS_SHOWN = 3  # helpfulness reaches a manager only as an average of at least 3


@dataclass(frozen=True)
class Ratio:
    done: int
    of: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.done, self.of) if self.of else None

    @property
    def percent(self) -> int | None:
        """Rounded half up, so 2/3 is 67% and 1/8 is 13%."""
        if not self.of:
            return None
        return int(Fraction(100 * self.done, self.of) + Fraction(1, 2))

    @property
    def label(self) -> str:
        return "—" if self.percent is None else f"{self.percent}%"

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.done + other.done, self.of + other.of)


NO_RATIO = Ratio(0, 0)


@dataclass(frozen=True)
class RepWeek:
    """What one rep's week recorded (cycles sort by time as strings: 2026-W48)."""

    cycle: str
    paused: bool = False
    enrolled: bool = True  # False before the rep's first week with coach: not counted at all
    held: bool | None = None  # the 1:1: True held, False logged as not held, None not logged
    drill_assigned: bool = False
    drill_recorded: bool = False  # as many recordings as committed to (app/rules/practice.py)
    recordings: int = 0
    practice_target: int = 1
    transfer: int | None = None  # the manager's score of this week's drill (given next Monday)
    focus: str | None = None  # the diagnosis's focus competency this week, by name
    focus_key: str | None = None  # … and by key (None for a focus typed before the rubric)
    gap: Gap | None = None
    diagnosed_before_notes: bool = False
    deals_asked: int = 0  # coached deals settled: the rep's "moved?" or the CRM's history
    deals_moved: int = 0
    deals_from_crm: int = 0  # of deals_asked, how many the CRM's stage history settled
    crm: str | None = None  # which CRM ("Salesforce"), when one is connected
    helpfulness: int | None = None  # the rep's 1–10 answer about this week's 1:1
    rubric: dict[str, int] = field(default_factory=dict)  # competency key → level 1–4, if rated
    coaching_minutes: int = 0  # the coaches' time on the rep (app/rules/coaching_time.py)

    @property
    def practice(self) -> Practice:
        """This week's recordings against the number committed to."""
        return Practice(self.recordings, self.practice_target)


def counted(week: RepWeek) -> bool:
    """Weeks that count: the rep was with coach and not paused."""
    return week.enrolled and not week.paused


def active(weeks: Sequence[RepWeek]) -> list[RepWeek]:
    """Counted weeks, oldest first."""
    return sorted((w for w in weeks if counted(w)), key=lambda w: w.cycle)


def last_weeks(weeks: Sequence[RepWeek], up_to: str, count: int = WINDOW) -> list[RepWeek]:
    """The last `count` counted weeks up to cycle `up_to` (inclusive), oldest first."""
    return [w for w in active(weeks) if w.cycle <= up_to][-count:]


def completion(weeks: Sequence[RepWeek]) -> Ratio:
    """Drills recorded as many times as committed ÷ drills assigned."""
    assigned = [w for w in weeks if w.drill_assigned]
    return Ratio(sum(w.drill_recorded for w in assigned), len(assigned))


def focus_weeks(weeks: Sequence[RepWeek], up_to: str) -> list[RepWeek]:
    """The run of weeks on the current focus, up to `up_to`: from the most recent diagnosis
    back to the first week of the same focus (undiagnosed weeks in between keep it)."""
    run: list[RepWeek] = []
    focus: str | None = None
    for week in reversed([w for w in active(weeks) if w.cycle <= up_to]):
        if week.focus is None:
            if focus is not None:
                run.append(week)
            continue
        key = week.focus_key or week.focus.strip().lower()
        if focus is None:
            focus = key
        elif key != focus:
            break
        run.append(week)
    while run and run[-1].focus is None:  # the run starts with a diagnosed week
        run.pop()
    return list(reversed(run))


def weeks_to_transfer(run: Sequence[RepWeek]) -> int | None:
    """Weeks on the focus until the first score of 4+ (1 = the first week), or None."""
    for n, week in enumerate(run, start=1):
        if week.transfer is not None and week.transfer >= TRANSFERRED:
            return n
    return None


def deal_progression(weeks: Sequence[RepWeek]) -> Ratio:
    return Ratio(sum(w.deals_moved for w in weeks), sum(w.deals_asked for w in weeks))


def progression_source(weeks: Sequence[RepWeek]) -> str:
    """Where the deal progression figure comes from, in words ("" with nothing counted)."""
    asked = sum(w.deals_asked for w in weeks)
    from_crm = sum(w.deals_from_crm for w in weeks)
    crm = next((w.crm for w in reversed(weeks) if w.crm), None)
    if not asked:
        return ""
    if from_crm == asked:
        return f"from {crm}"
    if from_crm:
        return f"from {crm} and reps' own answers"
    return "reps' own answers"


def helpfulness_average(weeks: Sequence[RepWeek]) -> Fraction | None:
    """The average 1:1 helpfulness, or None below MIN_RATINGS_SHOWN ratings."""
    ratings = [w.helpfulness for w in weeks if w.helpfulness is not None]
    if len(ratings) < MIN_RATINGS_SHOWN:
        return None
    return Fraction(sum(ratings), len(ratings))


def rubric_trends(weeks: Sequence[RepWeek]) -> dict[str, tuple[int, ...]]:
    """Each rated competency's last ratings, oldest first (the last is its level now)."""
    history = [w.rubric for w in active(weeks) if w.rubric]
    return {key: rubric.trend(history, key) for key in rubric.latest(history)}


@dataclass(frozen=True)
class RepScorecard:
    cycle: str  # the week it describes
    paused: bool
    focus: str | None
    weeks_on_focus: int
    gap: Gap | None
    completion_4w: Ratio
    completion_focus: Ratio
    transfers: tuple[tuple[str, int], ...]  # (cycle, score), last WINDOW scored weeks
    weeks_to_transfer: int | None
    deal_progression_4w: Ratio
    deal_progression_source: str  # "from Salesforce", "reps' own answers", "" when none
    helpfulness_avg: Fraction | None  # None: fewer than MIN_RATINGS_SHOWN ratings
    helpfulness_ratings: int
    rubric: dict[str, tuple[int, ...]]  # competency key → its last ratings, oldest first
    this_week: RepWeek


def scorecard(weeks: Sequence[RepWeek], cycle: str) -> RepScorecard:
    """One rep's figures as of `cycle`."""
    by_cycle = {w.cycle: w for w in weeks}
    this_week = by_cycle.get(cycle, RepWeek(cycle))
    window = last_weeks(weeks, cycle)
    run = focus_weeks(weeks, cycle)
    scored = [(w.cycle, w.transfer) for w in active(weeks) if w.cycle <= cycle and w.transfer]
    return RepScorecard(
        cycle=cycle,
        paused=this_week.paused,
        focus=(run[-1].focus or "").strip() or None if run else None,
        weeks_on_focus=len(run),
        gap=this_week.gap,
        completion_4w=completion(window),
        completion_focus=completion(run),
        transfers=tuple((c, s) for c, s in scored[-WINDOW:] if s is not None),
        weeks_to_transfer=weeks_to_transfer(run),
        deal_progression_4w=deal_progression(window),
        deal_progression_source=progression_source(window),
        helpfulness_avg=helpfulness_average(window),
        helpfulness_ratings=sum(w.helpfulness is not None for w in window),
        rubric=rubric_trends([w for w in weeks if w.cycle <= cycle]),
        this_week=this_week,
    )


# --- managers and directors -------------------------------------------------------------


def coverage(team_weeks: Sequence[RepWeek]) -> Ratio:
    """Reps with a held, logged 1:1 ÷ reps not paused (one RepWeek per rep, same cycle).

    A 1:1 logged as "did not happen" counts against coverage, like one never logged."""
    active_reps = [w for w in team_weeks if counted(w)]
    return Ratio(sum(w.held is True for w in active_reps), len(active_reps))


def coaching_time(team_weeks: Sequence[RepWeek]) -> tuple[int, Fraction | None]:
    """The coaches' minutes across counted reps (one RepWeek per rep, same cycle), and per rep."""
    minutes = [w.coaching_minutes for w in team_weeks if counted(w)]
    return sum(minutes), (Fraction(sum(minutes), len(minutes)) if minutes else None)


def reviews_done(scored_weeks: Sequence[RepWeek]) -> Ratio:
    """Recorded drills the manager scored ÷ recorded drills (the weeks being reviewed)."""
    recorded = [w for w in scored_weeks if counted(w) and w.drill_recorded]
    return Ratio(sum(w.transfer is not None for w in recorded), len(recorded))


def diagnosed_first(team_weeks: Sequence[RepWeek]) -> Ratio:
    """Held 1:1s that had their diagnosis before the notes ÷ held 1:1s."""
    held = [w for w in team_weeks if counted(w) and w.held]
    return Ratio(sum(w.diagnosed_before_notes for w in held), len(held))
