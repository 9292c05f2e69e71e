"""The weekly digest (Friday 17:00 local by default), one per person, by what they do:
a rep's own week; a manager's team table; a director's coverage across managers. A person
who is several of these gets each part in one message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.db.models import Person
from app.db.store import Store
from app.rules import calendar
from app.rules.commitment import Commitment
from app.rules.drills import Drill
from app.rules.metrics import RepScorecard
from app.rules.rubric import Competency
from app.rules.trends import ChartImage
from app.rules.types import Role, Step
from app.services import call_evidence, scorecard_data, team_schedules
from app.services.call_evidence import Indicator
from app.services.scorecard_data import DirectorView, TeamView


@dataclass(frozen=True)
class RepDigest:
    rep: str
    cycle: str
    card: RepScorecard
    rubric: tuple[Competency, ...]  # names the card's rubric levels
    commitment: Commitment | None
    drill: str | None
    next_one_on_one: date | None
    indicator: Indicator | None = None  # the focus's number on their calls, from the recorder


@dataclass(frozen=True)
class Digest:
    person: str
    cycle: str
    rep: RepDigest | None = None
    team: TeamView | None = None
    director: DirectorView | None = None
    indicators: tuple[tuple[str, Indicator], ...] = ()  # a manager's reps (Slack id, number)
    commitments: tuple[tuple[str, Commitment], ...] = ()  # a manager's reps' of this week
    charts: tuple[ChartImage, ...] = ()  # trend charts uploaded for it (added at send time)

    @property
    def empty(self) -> bool:
        return self.rep is None and self.team is None and self.director is None


async def rep_digest(store: Store, rep: Person, cycle: str, default_tz: str) -> RepDigest:
    found = await scorecard_data.rep_card(store, rep, cycle)
    notes = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    manager = await store.person_by_id(rep.manager_id) if rep.manager_id else None
    next_one_on_one = None
    if manager is not None:
        week = await team_schedules.team_schedule(store, rep.workspace_id, manager)
        weekday = week.schedule[Step.ONE_ON_ONE].weekday
        next_one_on_one = calendar.monday_of(calendar.next_cycle(cycle)) + timedelta(weekday)
    held = notes is not None and notes.held
    return RepDigest(
        rep=rep.slack_user_id,
        cycle=cycle,
        card=found.card,
        rubric=found.rubric,
        commitment=Commitment.of(notes) if held else None,
        drill=Drill.from_json(notes.drill).name if held and notes and notes.drill else None,
        next_one_on_one=next_one_on_one,
        indicator=(
            await call_evidence.indicators(store, rep.workspace_id, [rep], cycle, default_tz)
        ).get(rep.id),
    )


async def digest_for(
    store: Store,
    person: Person,
    cycle: str,
    now: datetime | None = None,
    default_tz: str = "UTC",
) -> Digest:
    reports = await store.reports_of([person.id])
    reps = [p for p in reports if p.role is Role.REP and p.active]
    leads_reps = bool(reps)
    shown = await call_evidence.indicators(store, person.workspace_id, reps, cycle, default_tz)
    leads_managers = any(p.role is not Role.REP for p in reports)
    notes = await store.one_on_ones([r.id for r in reps], cycle) if reps else {}
    committed = {r.id: Commitment.of(notes.get(r.id)) for r in reps}
    return Digest(
        person=person.slack_user_id,
        cycle=cycle,
        rep=(
            await rep_digest(store, person, cycle, default_tz) if person.role is Role.REP else None
        ),
        team=await scorecard_data.team_view(store, person, cycle, now) if leads_reps else None,
        director=(
            await scorecard_data.director_view(store, person, cycle, now)
            if leads_managers
            else None
        ),
        indicators=tuple((r.slack_user_id, shown[r.id]) for r in reps if r.id in shown),
        commitments=tuple((r.slack_user_id, c) for r in reps if (c := committed[r.id])),
    )
