"""What a person's App Home shows, by role, as plain data (the renderer draws it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from app.db.models import Person
from app.db.store import Store
from app.rules.metrics import RepWeek
from app.rules.rubric import Competency
from app.rules.trends import ChartImage
from app.rules.types import Role, Step, StepTime
from app.rules.weekly_steps import effective_schedule
from app.services import (
    call_evidence,
    delivery_health,
    drill_reports,
    local_week,
    people,
    scorecard_data,
    team_schedules,
    trend_data,
)
from app.services.call_evidence import Indicator
from app.services.crm_health import CrmHealth, crm_health
from app.services.delivery_health import DeliveryHealth
from app.services.drill_reports import DrillAssignment
from app.services.recorder_health import RecorderHealth, recorder_health
from app.services.rubric import rubric_of
from app.services.scorecard_data import DirectorView, RepCard, TeamView

RECENT_WEEKS = 6


@dataclass(frozen=True)
class Member:
    slack_user_id: str
    role: Role
    tz: str | None
    paused_until: date | None
    reps: int = 0  # for managers: how many reps they coach


@dataclass(frozen=True)
class HomeModel:
    slack_user_id: str
    role: Role | None  # None: not on the roster
    tz: str
    tz_known: bool
    manager: str | None = None
    director: str | None = None
    paused_until: date | None = None
    schedule: dict[Step, StepTime] = field(default_factory=dict)
    reps: list[Member] = field(default_factory=list)
    managers: list[Member] = field(default_factory=list)
    role_counts: dict[Role, int] = field(default_factory=dict)
    admins: list[str] = field(default_factory=list)
    cycle: str = ""  # the person's current week
    scorecard: RepCard | None = None  # reps: their own numbers
    drill: DrillAssignment | None = None  # reps: this week's drill (or last week's, still open)
    recent: list[RepWeek] = field(default_factory=list)  # reps: their last weeks, newest first
    team: TeamView | None = None  # whoever coaches reps
    organisation: DirectorView | None = None  # whoever leads managers
    teams: list[str] = field(default_factory=list)  # admins: managers whose team they can set
    delivery: DeliveryHealth | None = None  # admins: how the workspace's messages got through
    indicator: Indicator | None = None  # reps: their focus's number on calls (the recorder's)
    indicators: list[tuple[str, Indicator]] = field(default_factory=list)  # managers: their reps'
    recorder: RecorderHealth | None = None  # admins: the call recorder's connection
    crm: CrmHealth | None = None  # admins: the CRM's connection
    rubric: tuple[Competency, ...] = ()  # admins: the workspace's rubric, to reword
    charts: tuple[ChartImage, ...] = ()  # the trend charts of their latest digest


def _member(person: Person, reps: int = 0) -> Member:
    return Member(person.slack_user_id, Role(person.role), person.tz, person.paused_until, reps)


async def _chain(store: Store, person: Person) -> tuple[Person | None, Person | None]:
    """The person's manager and that manager's manager, where there are."""
    found = await store.people_by_ids([person.manager_id] if person.manager_id else [])
    manager = found[0] if found else None
    director = None
    if manager is not None and manager.manager_id is not None:
        above = await store.people_by_ids([manager.manager_id])
        director = above[0] if above else None
    return manager, director


async def _team_schedule(store: Store, workspace_id: int, person: Person) -> dict[Step, StepTime]:
    """The week's step times of the team this person belongs to (or leads)."""
    leads = Role(person.role) in (Role.MANAGER, Role.DIRECTOR)
    team_manager_id = person.id if leads else person.manager_id
    return effective_schedule(
        await store.schedule_overrides(workspace_id, None),
        await store.schedule_overrides(workspace_id, team_manager_id)
        if team_manager_id is not None
        else [],
    )


async def _direct_reports(
    store: Store, direct: Sequence[Person]
) -> tuple[list[Member], list[Member]]:
    """Reps among these direct reports, and the leads among them (with their rep counts)."""
    reps = [_member(p) for p in direct if p.role == Role.REP]
    leads = [p for p in direct if p.role in (Role.MANAGER, Role.DIRECTOR)]
    rep_counts = Counter(
        r.manager_id for r in await store.reports_of([m.id for m in leads]) if r.role == Role.REP
    )
    return reps, [_member(m, rep_counts.get(m.id, 0)) for m in leads]


async def home_for(
    store: Store, team_id: str, slack_user_id: str, *, default_tz: str, now: datetime
) -> HomeModel:
    who = await people.known_actor(store, team_id, slack_user_id)
    if who is None or who.person is None:
        admins = [a.slack_user_id for a in await store.admins(who.workspace.id)] if who else []
        return HomeModel(slack_user_id, None, default_tz, False, admins=admins)
    person = who.person
    role = Role(person.role)
    is_admin = role is Role.ADMIN
    manager, director = await _chain(store, person)
    direct = await store.reports_of([person.id])
    reps, managers = await _direct_reports(store, direct)
    cycle = local_week.rep_cycle(person, now, default_tz)
    scorecard = drill = None
    recent: list[RepWeek] = []
    direct_reps = [p for p in direct if p.role is Role.REP]
    shown = await call_evidence.indicators(
        store,
        who.workspace.id,
        [*direct_reps, person] if role is Role.REP else direct_reps,
        cycle,
        default_tz,
    )
    if role is Role.REP:
        scorecard = await scorecard_data.rep_card(store, person, cycle)
        drill = await drill_reports.current_drill(store, person, now, default_tz)
        recent = [w for w in reversed(scorecard.weeks[-RECENT_WEEKS:]) if w.enrolled]
    return HomeModel(
        slack_user_id=slack_user_id,
        role=role,
        tz=person.tz or default_tz,
        tz_known=person.tz is not None,
        manager=manager.slack_user_id if manager else None,
        director=director.slack_user_id if director else None,
        paused_until=person.paused_until,
        schedule=await _team_schedule(store, who.workspace.id, person),
        reps=reps,
        managers=managers,
        role_counts=await store.role_counts(who.workspace.id) if is_admin else {},
        cycle=cycle,
        scorecard=scorecard,
        drill=drill,
        recent=recent,
        team=await scorecard_data.team_view(store, person, cycle, now) if reps else None,
        organisation=(
            await scorecard_data.director_view(store, person, cycle, now) if managers else None
        ),
        teams=await team_schedules.settable_teams(store, who) if is_admin else [],
        delivery=(
            await delivery_health.delivery_health(store, who, now, default_tz) if is_admin else None
        ),
        indicator=shown.get(person.id) if role is Role.REP else None,
        indicators=[(r.slack_user_id, shown[r.id]) for r in direct_reps if r.id in shown],
        recorder=await recorder_health(store, who.workspace.id) if is_admin else None,
        crm=await crm_health(store, who.workspace.id, now) if is_admin else None,
        rubric=await rubric_of(store, who.workspace.id) if is_admin else (),
        charts=await trend_data.latest_charts(store, person.id, cycle),
    )
