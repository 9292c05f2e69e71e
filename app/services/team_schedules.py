"""Who may see and change when a team's steps fire, and the change itself."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.models import Person
from app.db.store import Store
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role, Step, StepTime
from app.rules.weekly_steps import OrderProblem, effective_schedule, moved, order_problem
from app.services.people import Actor

LEADS = (Role.MANAGER, Role.DIRECTOR)


@dataclass(frozen=True)
class TeamSchedule:
    manager: str | None  # whose team; None: the workspace's default for every team
    schedule: dict[Step, StepTime]


async def team_schedule(store: Store, workspace_id: int, manager: Person | None) -> TeamSchedule:
    overrides = await store.schedule_overrides(workspace_id, None)
    team = await store.schedule_overrides(workspace_id, manager.id) if manager else []
    if manager is None:
        return TeamSchedule(None, effective_schedule(overrides))
    return TeamSchedule(manager.slack_user_id, effective_schedule(overrides, team))


async def _lead(store: Store, actor: Actor, slack_user_id: str) -> Person:
    lead = await store.person(actor.workspace.id, slack_user_id)
    if lead is None or not lead.active or lead.role not in LEADS:
        raise UserError(Refusal.NOT_A_LEAD, person=slack_user_id)
    return lead


async def schedule_of(store: Store, actor: Actor) -> TeamSchedule:
    """The schedule that applies to the person asking: their team's, or the workspace's."""
    me = actor.require_person()
    if me.role in LEADS:
        return await team_schedule(store, actor.workspace.id, me)
    manager = await store.person_by_id(me.manager_id) if me.manager_id is not None else None
    return await team_schedule(store, actor.workspace.id, manager)


async def change_step(
    store: Store, actor: Actor, step: Step, when: StepTime, team_of: str | None
) -> TeamSchedule:
    """Move one step for a team: a manager or director their own team, a director their
    managers' teams, an admin any team or (without a team) the workspace default."""
    me = actor.require_person()
    if team_of is None:
        if me.role not in (*LEADS, Role.ADMIN):
            raise NotAllowed(Refusal.SCHEDULE_LEADS_ONLY)
        team = me if me.role in LEADS else None
        if team is not None and not any(
            p.role is Role.REP for p in await store.reports_of([team.id])
        ):
            raise UserError(Refusal.NO_REPS_OF_YOUR_OWN)
    else:
        team = await _lead(store, actor, team_of)
        if me.role is not Role.ADMIN and me.id not in (team.id, team.manager_id):
            raise NotAllowed(Refusal.NOT_YOUR_TEAM, lead=team.slack_user_id)
    current = await team_schedule(store, actor.workspace.id, team)
    proposed = moved(current.schedule, step, when)
    changes = [s for s in proposed if proposed[s] != current.schedule[s]] or [step]
    for changed in changes:
        problem = order_problem(proposed, changed)
        if problem:
            raise _out_of_order(problem)
    if team is None:
        await _check_teams_keep_their_order(store, actor.workspace.id, proposed, changes)
    for changed in changes:
        await store.save_schedule_step(
            actor.workspace.id, team.id if team else None, changed, proposed[changed]
        )
    return TeamSchedule(current.manager, proposed)


def _out_of_order(problem: OrderProblem, clashes_with: str | None = None) -> UserError:
    """The refusal of a move that breaks the week's order (of another team's schedule, when
    `clashes_with` names its lead)."""
    if clashes_with is None:
        return UserError(
            Refusal.STEP_ORDER,
            step=problem.step,
            before=problem.before,
            other=problem.other,
            at=problem.at,
        )
    return UserError(
        Refusal.STEP_ORDER_CLASH,
        lead=clashes_with,
        step=problem.step,
        before=problem.before,
        other=problem.other,
        at=problem.at,
    )


async def _check_teams_keep_their_order(
    store: Store, workspace_id: int, default: dict[Step, StepTime], changes: list[Step]
) -> None:
    """A new workspace default must not break the order of a team that set its own times."""
    by_team: dict[int, list[tuple[Step, StepTime]]] = {}
    for row in await store.all_schedule_overrides(workspace_id):
        if row.manager_id is not None:
            by_team.setdefault(row.manager_id, []).append(
                (Step(row.step), StepTime(row.weekday, row.local_time))
            )
    leads = {p.id: p for p in await store.people_by_ids(by_team)}
    for manager_id, overrides in sorted(by_team.items()):
        schedule = {**default, **dict(overrides)}
        for changed in changes:
            problem = order_problem(schedule, changed)
            if problem and manager_id in leads:
                raise _out_of_order(problem, clashes_with=leads[manager_id].slack_user_id)


async def settable_teams(store: Store, actor: Actor) -> list[str]:
    """The managers whose team schedule this person may set (admins: every team)."""
    me = actor.require_person()
    everyone = await store.people(actor.workspace.id)
    coaches = {p.manager_id for p in everyone if p.role is Role.REP}
    if me.role is Role.ADMIN:
        allowed = [p for p in everyone if p.id in coaches]
    else:
        allowed = [p for p in everyone if p.id in coaches and me.id in (p.id, p.manager_id)]
    if not allowed and me.role is not Role.ADMIN:
        raise NotAllowed(Refusal.SCHEDULE_LEADS_ONLY)
    return sorted(p.slack_user_id for p in allowed)
