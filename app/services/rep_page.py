"""One rep's one-page scorecard: rubric levels with their trend, the focus plan (30/60/90),
the commitments of the last weeks with their numbers, and the figures against their targets.
The rep sees their own; their coaches (their manager and that manager's director) see it
too; nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.db.models import OneOnOne
from app.db.store import Store
from app.rules import calendar, rubric
from app.rules.commitment import Commitment
from app.rules.drills import Drill
from app.rules.focus import FocusRun, current_run
from app.rules.frameworks import scaling_trend
from app.rules.metrics import WINDOW, RepWeek
from app.rules.practice import Practice
from app.rules.refusals import NotAllowed, Refusal
from app.rules.rubric import Competency
from app.rules.types import Role
from app.services import access, coaching_notes, scorecard_data
from app.services.coaching_notes import NoteShown
from app.services.people import Actor
from app.services.scorecard_data import RepCard, cycles_back

PLAN_DAYS = 30  # each focus of the plan gets about a month: three weeks to a 4, then moving on


@dataclass(frozen=True)
class PlannedFocus:
    competency: Competency
    starts_on: date  # the Monday it began (the current one) or may begin (the next ones)
    level: int | None  # the rep's level on it now
    week: int | None = None  # the current one only: which week of it this is


@dataclass(frozen=True)
class WeekCommitment:
    cycle: str
    commitment: Commitment  # the sentence, with the number it is held to
    drill: str | None
    practice: Practice | None  # the recordings against those committed to, with a drill


@dataclass(frozen=True)
class RepPage:
    rep: str
    cycle: str
    card: RepCard
    plan: tuple[PlannedFocus, ...]
    commitments: tuple[WeekCommitment, ...]  # newest first
    own: bool  # the rep reading their own page
    notes: tuple[NoteShown, ...] = ()  # newest first: a coach sees all, the rep only SBI
    scaling: tuple[int, ...] = ()  # OSKAR's scaling numbers, oldest first (coaches only)


async def rep_page(store: Store, actor: Actor, rep_slack_user_id: str, cycle: str) -> RepPage:
    me = actor.require_person()
    if me.role is Role.REP:
        if me.slack_user_id != rep_slack_user_id:
            raise NotAllowed(Refusal.NOT_YOUR_NOTES)
        rep = me
    else:
        rep, _ = await access.coached_rep(store, actor, rep_slack_user_id)
    card = await scorecard_data.rep_card(store, rep, cycle)
    history = (await store.diagnosis_history([rep.id], cycle)).get(rep.id, [])
    first = cycles_back(cycle, WINDOW)[0]
    notes = await store.weeks_of(OneOnOne, [rep.id], first, cycle)
    coach = me.id != rep.id
    written = await coaching_notes.notes_for_page(store, rep, first, cycle, coach=coach)
    # OSKAR's scaling numbers, from its notes and the 1:1s run in it (the coaches' to see).
    numbers = [(n.cycle, n.scaling) for n in written if n.scaling is not None]
    numbers += [(n.cycle_week, n.scaling) for n in notes if n.scaling is not None]
    scaling = scaling_trend(numbers) if coach else ()
    return RepPage(
        rep.slack_user_id,
        cycle,
        card,
        plan_of(card, current_run(history), cycle),
        commitments_of(notes, card.weeks),
        own=me.id == rep.id,
        notes=written,
        scaling=scaling,
    )


def plan_of(card: RepCard, run: FocusRun, cycle: str) -> tuple[PlannedFocus, ...]:
    """The focus now and the two after it, each given about 30 days."""
    levels = {key: trend[-1] for key, trend in card.card.rubric.items() if trend}
    now = rubric.find(card.rubric, run.key) if run.key else None
    plan = rubric.focus_plan(card.rubric, now.key if now else None, levels)
    start = calendar.monday_of(run.cycles[0]) if now and run.cycles else calendar.monday_of(cycle)
    found: list[PlannedFocus] = []
    for n, competency in enumerate(plan):
        current = now is not None and competency.key == now.key
        found.append(
            PlannedFocus(
                competency,
                start + timedelta(days=PLAN_DAYS * n),
                levels.get(competency.key),
                week=card.card.weeks_on_focus if current else None,
            )
        )
    return tuple(found)


def commitments_of(notes: list[OneOnOne], weeks: list[RepWeek]) -> tuple[WeekCommitment, ...]:
    by_cycle = {w.cycle: w for w in weeks}
    found = []
    for record in sorted(notes, key=lambda n: n.cycle_week, reverse=True):
        said = Commitment.of(record) if record.held else None
        if said is None:
            continue
        drill = Drill.from_json(record.drill).name if record.drill else None
        week = by_cycle.get(record.cycle_week)
        found.append(
            WeekCommitment(
                record.cycle_week,
                said,
                drill,
                week.practice if week and drill else None,
            )
        )
    return tuple(found)
