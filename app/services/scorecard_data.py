"""Reads what the loop recorded into `RepWeek`s and builds each role's view of the numbers.

A fixed number of queries whatever the team size (one per record type), then pure
arithmetic in `metrics` and `insights`. Who may see what is decided here: a rep's card is
theirs; a manager sees their own reps; a director sees their managers' coverage; a rep's
helpfulness ratings reach a manager only as an average of at least three; a director also
sees the checklist of their reviews of each manager's 1:1s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from app.db.models import (
    DealProgress,
    Diagnosis,
    DrillReport,
    Helpfulness,
    OneOnOne,
    Pause,
    Person,
    TransferScore,
)
from app.db.store import Store
from app.rules import calendar, coaching_time, insights, metrics
from app.rules.insights import Insight
from app.rules.metrics import WINDOW, Ratio, RepScorecard, RepWeek
from app.rules.practice import Practice, practice
from app.rules.rubric import DEFAULT_RUBRIC, Competency
from app.rules.types import Gap, Role, Step
from app.services import coaching_reviews, escalations, team_schedules, work_calendars
from app.services.coaching_reviews import Reviewable
from app.services.crm_progress import CrmWeek, crm_weeks
from app.services.escalations import OpenAction
from app.services.rubric import rubric_of
from app.services.week_plan import zone

HISTORY = 8  # weeks read for a scorecard: enough for a 4-week window and a focus run


def cycles_back(cycle: str, count: int) -> list[str]:
    """`count` cycles ending with `cycle`, oldest first."""
    found = [cycle]
    while len(found) < count:
        found.append(calendar.previous_cycle(found[-1]))
    return list(reversed(found))


def paused_in(pauses: Sequence[Pause], cycle: str) -> bool:
    """A week is paused when a pause covers its Monday (as the loop's messages treat it)."""
    monday = calendar.monday_of(cycle)
    return any(p.starts_on <= monday <= p.ends_on for p in pauses)


@dataclass(frozen=True)
class _Records:
    """Every record of some reps over some weeks, keyed by (person id, week)."""

    diagnoses: dict[tuple[int, str], Diagnosis]
    notes: dict[tuple[int, str], OneOnOne]
    scores: dict[tuple[int, str], TransferScore]
    ratings: dict[tuple[int, str], Helpfulness]
    recorded: Counter[tuple[int, str]]  # recordings per (rep, cycle)
    progress: dict[tuple[int, str], list[DealProgress]]
    pauses: dict[int, list[Pause]]
    crm: dict[tuple[int, str], CrmWeek]  # weeks whose workspace has a CRM connected
    levels: dict[tuple[int, str], dict[str, int]]  # the rubric ratings: competency → level
    notes_written: Counter[tuple[int, str]]  # coaching notes (SBI, CAR, OSKAR) per (rep, cycle)
    weeks_off: set[tuple[int, str]] = field(default_factory=set)  # holidays took the 1:1

    def first_weeks(self) -> dict[int, str]:
        """Each rep's earliest week with any record."""
        first: dict[int, str] = {}
        keys = (*self.diagnoses, *self.notes, *self.scores, *self.ratings, *self.recorded)
        for person_id, cycle in (*keys, *self.progress):
            first[person_id] = min(first.get(person_id, cycle), cycle)
        return first


async def _records(
    store: Store, reps: Sequence[Person], first: str, last: str, cycles: Sequence[str] = ()
) -> _Records:
    ids = [r.id for r in reps]

    def keyed(rows: Sequence[Any]) -> dict[tuple[int, str], Any]:
        return {(row.person_id, row.cycle_week): row for row in rows}

    progress: dict[tuple[int, str], list[DealProgress]] = {}
    for row in await store.weeks_of(DealProgress, ids, first, last):
        progress.setdefault((row.person_id, row.cycle_week), []).append(row)
    pauses: dict[int, list[Pause]] = {}
    for pause in await store.pauses(ids):
        pauses.setdefault(pause.person_id, []).append(pause)
    reports = await store.weeks_of(DrillReport, ids, first, last)
    return _Records(
        diagnoses=keyed(await store.weeks_of(Diagnosis, ids, first, last)),
        notes=keyed(await store.weeks_of(OneOnOne, ids, first, last)),
        scores=keyed(await store.weeks_of(TransferScore, ids, first, last)),
        ratings=keyed(await store.weeks_of(Helpfulness, ids, first, last)),
        recorded=Counter((r.person_id, r.cycle_week) for r in reports),
        progress=progress,
        pauses=pauses,
        crm=await crm_weeks(store, reps, first, last),
        levels=await store.ratings(ids, first, last),
        notes_written=Counter(
            (n.person_id, n.cycle_week) for n in await store.notes_of(ids, first, last)
        ),
        weeks_off=await work_calendars.weeks_off(store, reps, cycles),
    )


def _rep_week(records: _Records, rep_id: int, cycle: str, enrolled: bool) -> RepWeek:
    key = (rep_id, cycle)
    diagnosis = records.diagnoses.get(key)
    note = records.notes.get(key)
    score = records.scores.get(key)
    rating = records.ratings.get(key)
    crm = records.crm.get(key)
    # With a CRM, its stage history settles the deals picked from it; the rep's own "moved?"
    # counts only for deals typed by hand.
    answers = [
        a.moved
        for a in records.progress.get(key, [])
        if crm is None or a.deal_index not in crm.from_crm
    ]
    from_crm = list(crm.verdicts.values()) if crm else []
    held = note.held if note is not None else None
    done = practice(records.recorded[key], note.practice_reps if note is not None else None)
    return RepWeek(
        cycle=cycle,
        # A week off for holidays counts as a paused one: skipped, never missed.
        paused=paused_in(records.pauses.get(rep_id, []), cycle) or key in records.weeks_off,
        enrolled=enrolled,
        held=held,
        drill_assigned=bool(held and note is not None and note.drill),
        drill_recorded=done.met,
        recordings=done.done,
        practice_target=done.target,
        transfer=score.score if score else None,
        focus=diagnosis.focus_skill if diagnosis else None,
        focus_key=diagnosis.focus_key if diagnosis else None,
        gap=Gap(diagnosis.gap) if diagnosis else None,
        diagnosed_before_notes=bool(diagnosis and note and diagnosis.created_at <= note.created_at),
        deals_asked=len(answers) + len(from_crm),
        deals_moved=sum(answers) + sum(from_crm),
        deals_from_crm=len(from_crm),
        crm=crm.crm if crm else None,
        helpfulness=rating.score if rating else None,
        rubric=records.levels.get(key, {}),
        coaching_minutes=coaching_time.week_minutes(
            held,
            note.minutes if note is not None else None,
            score is not None,
            records.notes_written[key],
        ),
    )


async def rep_weeks(
    store: Store, reps: Sequence[Person], cycles: Sequence[str]
) -> dict[int, list[RepWeek]]:
    """Each rep's weeks over `cycles` (oldest first), in a fixed number of queries."""
    records = await _records(store, reps, cycles[0], cycles[-1], cycles)
    first_record = records.first_weeks()
    weeks: dict[int, list[RepWeek]] = {}
    for rep in reps:
        # A rep counts from their first week on the roster (or with a record, if earlier),
        # and, once erased, up to the week of their erasure.
        tz = zone(rep.tz, "UTC")
        joined = calendar.current_cycle(rep.created_at, tz)
        first = min(joined, first_record.get(rep.id, joined))
        last = calendar.current_cycle(rep.erased_at, tz) if rep.erased_at else None
        weeks[rep.id] = [
            _rep_week(records, rep.id, cycle, first <= cycle and (last is None or cycle <= last))
            for cycle in cycles
        ]
    return weeks


# --- the rep ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RepCard:
    rep: str
    card: RepScorecard
    insights: list[Insight]
    weeks: list[RepWeek]  # the HISTORY weeks read, oldest first
    rubric: tuple[Competency, ...] = DEFAULT_RUBRIC  # names the card's rubric levels


async def rep_card(store: Store, rep: Person, cycle: str) -> RepCard:
    weeks = (await rep_weeks(store, [rep], cycles_back(cycle, HISTORY)))[rep.id]
    return RepCard(
        rep.slack_user_id,
        metrics.scorecard(weeks, cycle),
        insights.rep_insights(rep.slack_user_id, weeks, cycle),
        weeks,
        await rubric_of(store, rep.workspace_id),
    )


# --- the manager ------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    rep: str
    paused: bool
    gap: Gap | None
    focus: str | None
    weeks_on_focus: int
    held: bool | None  # this week's 1:1
    drill: bool | None  # this week's drill: recorded as committed, not, none assigned
    transfer: int | None  # the latest score
    completion_4w: Ratio
    helpfulness_avg: Fraction | None  # only from MIN_RATINGS_SHOWN ratings on
    practice: Practice | None = None  # this week's recordings against those committed to
    name: str | None = None  # as Slack shows them (for a menu's plain text)


@dataclass(frozen=True)
class TeamView:
    manager: str
    cycle: str
    rows: list[TeamRow]
    coverage: Ratio
    coverage_trend: list[tuple[str, Ratio]]  # the last WINDOW weeks, oldest first
    reviews_done: Ratio  # last week's recorded drills scored
    diagnosed_first: Ratio
    insights: list[Insight]
    to_score: list[str]  # reps whose recorded drill of last week has no score yet
    open_actions: list[OpenAction] = field(default_factory=list)  # system gaps taken on
    coaching_minutes: int = 0  # this week, across the counted reps
    minutes_per_rep: Fraction | None = None


def _row(rep: Person, card: RepScorecard) -> TeamRow:
    week = card.this_week
    return TeamRow(
        rep=rep.slack_user_id,
        paused=week.paused,
        gap=week.gap,
        focus=card.focus,
        weeks_on_focus=card.weeks_on_focus,
        held=week.held,
        drill=week.drill_recorded if week.drill_assigned else None,
        transfer=card.transfers[-1][1] if card.transfers else None,
        completion_4w=card.completion_4w,
        helpfulness_avg=card.helpfulness_avg,
        practice=week.practice if week.drill_assigned else None,
        name=rep.display_name,
    )


async def team_reps(store: Store, manager: Person) -> list[Person]:
    return [p for p in await store.reports_of([manager.id]) if p.role is Role.REP]


async def counted_reps(store: Store, manager_ids: Sequence[int]) -> list[Person]:
    """The reps of these managers whose weeks count: on the roster, or erased (anonymous,
    counted up to their erasure), in one statement."""
    return [p for p in await store.counted_reports_of(manager_ids) if p.role is Role.REP]


async def one_on_ones_due(store: Store, manager: Person, cycle: str, now: datetime | None) -> bool:
    """Whether the team's 1:1 notes of `cycle` were due by `now` (their notes nudge, after
    the 1:1, has come in the manager's time): before that, nobody is missing one. No `now`:
    a week looked back on."""
    if now is None:
        return True
    team = await team_schedules.team_schedule(store, manager.workspace_id, manager)
    step = Step.NOTES_NUDGE
    tz = zone(manager.tz, "UTC")
    return now >= calendar.occurrence(step, team.schedule[step], cycle, tz).due_at


async def team_view(
    store: Store, manager: Person, cycle: str, now: datetime | None = None
) -> TeamView:
    """The manager's team in `cycle`, as of `now` (None: the week as a whole)."""
    # Erased reps have no row, but the weeks they were coached still count in the figures.
    counted = await counted_reps(store, [manager.id])
    reps = [r for r in counted if r.erased_at is None]
    cycles = cycles_back(cycle, HISTORY)
    weeks = await rep_weeks(store, counted, cycles)
    cards = {r.id: metrics.scorecard(weeks[r.id], cycle) for r in reps}

    def at(c: str) -> list[RepWeek]:
        return [next(w for w in weeks[r.id] if w.cycle == c) for r in counted]

    this_week = at(cycle)
    last_week = at(calendar.previous_cycle(cycle))
    coverage = metrics.coverage(this_week)
    minutes, per_rep = metrics.coaching_time(this_week)
    found: list[Insight] = []
    for rep in reps:
        found += insights.rep_insights(rep.slack_user_id, weeks[rep.id], cycle)
    gaps = {
        r.slack_user_id: w.gap
        for r, w in zip(counted, this_week, strict=True)
        if metrics.counted(w) and r.erased_at is None
    }
    due = await one_on_ones_due(store, manager, cycle, now)
    found += insights.team_insights(manager.slack_user_id, gaps, coverage, one_on_ones_due=due)
    return TeamView(
        manager=manager.slack_user_id,
        cycle=cycle,
        rows=[_row(r, cards[r.id]) for r in reps],
        coverage=coverage,
        coverage_trend=[(c, metrics.coverage(at(c))) for c in cycles[-WINDOW:]],
        reviews_done=metrics.reviews_done(last_week),
        diagnosed_first=metrics.diagnosed_first(this_week),
        insights=found,
        to_score=[
            r.slack_user_id
            for r, w in zip(counted, last_week, strict=True)
            if metrics.counted(w)
            and w.drill_recorded
            and w.transfer is None
            and r.erased_at is None
        ],
        open_actions=await escalations.open_for(store, reps),
        coaching_minutes=minutes,
        minutes_per_rep=per_rep,
    )


# --- the director -----------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerCoverage:
    manager: str
    coverage: Ratio
    not_coached: list[str]  # active reps without a held 1:1 this week, once it was due
    due: bool = True  # this week's 1:1 notes were due by now
    # The director's reviews of this manager's 1:1s: items ticked ÷ items, per week of the
    # last WINDOW (oldest first), and the recent 1:1s there are to review.
    checklist: list[tuple[str, Ratio]] = field(default_factory=list)
    to_review: list[Reviewable] = field(default_factory=list)
    coaching_minutes: int = 0  # this week, across the manager's counted reps
    minutes_per_rep: Fraction | None = None


@dataclass(frozen=True)
class DirectorView:
    director: str
    cycle: str
    managers: list[ManagerCoverage]
    total: Ratio
    open_actions: list[OpenAction] = field(default_factory=list)  # their managers' teams


async def director_view(
    store: Store, director: Person, cycle: str, now: datetime | None = None
) -> DirectorView:
    """Coverage across the director's managers in `cycle`, as of `now` (None: the whole
    week): a team whose 1:1s are not due yet has nobody "not coached"."""
    managers = [p for p in await store.reports_of([director.id]) if p.role is not Role.REP]
    counted = await counted_reps(store, [m.id for m in managers])
    reps = [r for r in counted if r.erased_at is None]
    weeks = await rep_weeks(store, counted, [cycle])
    trends = await coaching_reviews.checklist_trends(store, managers, cycles_back(cycle, WINDOW))
    recent = cycles_back(cycle, coaching_reviews.REVIEW_WEEKS)
    listed = await coaching_reviews.to_review(store, director, managers, recent)
    rows = []
    for manager in managers:
        team = [(r, weeks[r.id][0]) for r in counted if r.manager_id == manager.id]
        due = await one_on_ones_due(store, manager, cycle, now)
        time = metrics.coaching_time([w for _, w in team])
        rows.append(
            ManagerCoverage(
                manager.slack_user_id,
                metrics.coverage([w for _, w in team]),
                [
                    r.slack_user_id
                    for r, w in team
                    if due and metrics.counted(w) and w.held is not True and r.erased_at is None
                ],
                due=due,
                checklist=trends[manager.id],
                to_review=listed.get(manager.id, []),
                coaching_minutes=time[0],
                minutes_per_rep=time[1],
            )
        )
    total = sum((row.coverage for row in rows), metrics.NO_RATIO)
    actions = await escalations.open_for(store, reps)
    return DirectorView(director.slack_user_id, cycle, rows, total, actions)
