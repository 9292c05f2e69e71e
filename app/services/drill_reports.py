"""Thursday and Friday: the rep's drill, when it is due, and `/drill done`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from app.db.ledger import Ledger
from app.db.models import DrillReport, Person
from app.db.store import Store
from app.rules import calendar
from app.rules.commitment import Commitment
from app.rules.drills import Drill
from app.rules.evidence import BadInput, check_url
from app.rules.form_fields import DrillDoneField
from app.rules.practice import Practice, practice
from app.rules.refusals import Refusal, UserError
from app.rules.types import Step
from app.services import access, team_schedules
from app.services.crm_writes import plan_crm_write
from app.services.local_week import rep_cycle
from app.services.people import Actor


@dataclass(frozen=True)
class DrillAssignment:
    rep: Person
    cycle: str
    drill: Drill
    commitment: Commitment | None
    practice_reps: int | None
    due_on: date  # the day the manager hears who missed it (the team's heads-up)
    reports: list[DrillReport]

    @property
    def practice(self) -> Practice:
        """Recordings in against the number committed to."""
        return practice(len(self.reports), self.practice_reps)


async def drill_due_on(store: Store, rep: Person, cycle: str) -> date:
    """When a rep's drill of `cycle` is due: the day their manager is told who hasn't
    recorded theirs (the team's heads-up: Friday, unless `/coach schedule` moved it)."""
    manager = await store.person_by_id(rep.manager_id) if rep.manager_id else None
    team = await team_schedules.team_schedule(store, rep.workspace_id, manager)
    weekday = team.schedule[Step.MANAGER_HEADS_UP].weekday
    return calendar.monday_of(cycle) + timedelta(days=weekday)


async def current_drill(
    store: Store, rep: Person, now: datetime, default_tz: str
) -> DrillAssignment | None:
    """This cycle's drill, or last cycle's while this week's 1:1 has not set a new one."""
    this_cycle = rep_cycle(rep, now, default_tz)
    for cycle in (this_cycle, calendar.previous_cycle(this_cycle)):
        record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
        if record is not None and record.held and record.drill:
            reports = (await store.drill_reports([rep.id], cycle)).get(rep.id, [])
            return DrillAssignment(
                rep=rep,
                cycle=cycle,
                drill=Drill.from_json(record.drill),
                commitment=Commitment.of(record),
                practice_reps=record.practice_reps,
                due_on=await drill_due_on(store, rep, cycle),
                reports=list(reports),
            )
        if record is not None and cycle == this_cycle:
            return None  # this week's 1:1 set no drill (or did not happen)
    return None


async def drill_status(
    store: Store, actor: Actor, now: datetime, default_tz: str
) -> DrillAssignment | None:
    rep = access.require_rep(actor)
    return await current_drill(store, rep, now, default_tz)


async def drill_to_report(
    store: Store, actor: Actor, now: datetime, default_tz: str
) -> DrillAssignment:
    """The drill a rep is about to report; refused when there is none."""
    assignment = await drill_status(store, actor, now, default_tz)
    if assignment is None:
        raise UserError(Refusal.NO_DRILL)
    return assignment


async def record_drill(
    store: Store, actor: Actor, link: str, note: str, now: datetime, default_tz: str
) -> DrillAssignment:
    """Add a recording of the rep's current drill; another link adds another, the same one
    (a double submission) changes nothing."""
    rep = access.require_rep(actor)
    try:
        url = check_url(link)
    except BadInput as exc:
        raise UserError(exc.reason, block_id=DrillDoneField.LINK) from exc
    assignment = await current_drill(store, rep, now, default_tz)
    if assignment is None:
        raise UserError(Refusal.NO_DRILL)
    await store.add_drill_report(rep.id, assignment.cycle, url, note.strip()[:1000] or None, now)
    reports = (await store.drill_reports([rep.id], assignment.cycle)).get(rep.id, [])
    recorded = replace(assignment, reports=list(reports))
    if recorded.practice.met and not assignment.practice.met:  # "Drill Recorded" checked
        ledger = Ledger(store.session)
        await plan_crm_write(store, ledger, rep, Step.CRM_DRILL_RECORDED, assignment.cycle, now)
    return recorded
