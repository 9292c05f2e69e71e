"""`/coach export` and `coach export --out`: the coaching history as a CSV, scoped to what
the asker may see (a manager their team, a director their managers' teams too, an admin
everyone), read in a fixed number of statements whatever the team size. Every export writes
one audit_log row in the same transaction.

Private coaching notes never leave here: the rows are built from `RepWeek`s, which hold only
the loop's facts and figures (app/rules/exports.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.db.models import AuditLog, Person, Submission, Workspace
from app.db.store import Store
from app.rules import calendar
from app.rules.exports import AuditAction, RepHistory, csv_text, history_rows
from app.rules.refusals import NotAllowed, Refusal, UserError
from app.rules.types import Role
from app.services import scorecard_data
from app.services.people import Actor
from app.services.week_plan import zone

MAX_WEEKS = 156  # three years of weeks at most in one export


class Scope(StrEnum):
    TEAM = "team"  # a manager's reps
    TEAMS = "teams"  # a director's: their managers' reps (and any of their own)
    EVERYONE = "everyone"  # an admin's, or the server's command line


@dataclass(frozen=True)
class HistoryExport:
    scope: Scope
    cycle: str  # the last week in it
    weeks: int  # how many weeks it spans
    reps: int
    rows: int
    csv: str

    @property
    def filename(self) -> str:
        return f"coaching-history-{self.cycle}.csv"


def audit(
    store: Store,
    workspace_id: int,
    action: AuditAction,
    now: datetime,
    actor: Person | None,
    subject: Person | None = None,
) -> None:
    """One audit_log row (ids only), in the caller's transaction."""
    store.add(
        AuditLog(
            workspace_id=workspace_id,
            actor_id=actor.id if actor else None,
            subject_id=subject.id if subject else None,
            action=action.value,
            at=now,
        )
    )


async def _scope_of(store: Store, me: Person) -> tuple[Scope, list[Person]]:
    if me.role is Role.ADMIN:
        everyone = await store.people(me.workspace_id, active_only=False)
        return Scope.EVERYONE, [p for p in everyone if p.role is Role.REP]
    if me.role is Role.REP:
        raise NotAllowed(Refusal.EXPORT_FOR_LEADS)
    reports = await store.reports_of([me.id])
    managers = [p.id for p in reports if p.role is not Role.REP]
    reps = await scorecard_data.counted_reps(store, [me.id, *managers])
    if not reps:
        raise UserError(Refusal.NOTHING_TO_EXPORT)
    return (Scope.TEAMS if managers else Scope.TEAM), reps


def _weeks(reps: Sequence[Person], last: str) -> list[str]:
    """From the first week anyone here was on the roster to `last`, at most MAX_WEEKS."""
    first = min(calendar.current_cycle(r.created_at, zone(r.tz, "UTC")) for r in reps)
    weeks = scorecard_data.cycles_back(last, MAX_WEEKS)
    return [c for c in weeks if c >= first] or [last]


async def _history(
    store: Store, workspace_id: int, scope: Scope, reps: list[Person], cycle: str
) -> HistoryExport:
    reps = sorted(reps, key=lambda r: (r.manager_id or 0, r.slack_user_id))
    cycles = _weeks(reps, cycle) if reps else [cycle]
    weeks = await scorecard_data.rep_weeks(store, reps, cycles) if reps else {}
    shared = await store.weeks_of(Submission, [r.id for r in reps], cycles[0], cycles[-1])
    deals = Counter[tuple[int, str]]()
    for submission in shared:
        deals[(submission.person_id, submission.cycle_week)] += len(submission.deals)
    lead_ids = {r.manager_id for r in reps if r.manager_id is not None}
    managers = {p.id: p for p in await store.people_by_ids(lead_ids)}
    histories = [
        RepHistory(
            rep=r.slack_user_id,
            name=r.display_name or "",
            manager=managers[r.manager_id].slack_user_id if r.manager_id in managers else "",
            weeks=weeks[r.id],
            deals_submitted={c: deals[(r.id, c)] for c in cycles if deals[(r.id, c)]},
        )
        for r in reps
    ]
    rows = history_rows(histories)
    counted = sum(1 for h in histories if any(w.enrolled for w in h.weeks))
    return HistoryExport(scope, cycle, len(cycles), counted, len(rows), csv_text(rows))


async def history_for(store: Store, actor: Actor, now: datetime, default_tz: str) -> HistoryExport:
    """The asker's scope, up to their current week; refused for reps (their own data is
    `/drill export`) and for a lead with nobody to export."""
    me = actor.require_person()
    scope, reps = await _scope_of(store, me)
    cycle = calendar.current_cycle(now, zone(me.tz, default_tz))
    found = await _history(store, me.workspace_id, scope, reps, cycle)
    audit(store, me.workspace_id, AuditAction.EXPORT_HISTORY, now, me)
    return found


async def history_of_workspace(
    store: Store, workspace: Workspace, now: datetime, default_tz: str
) -> HistoryExport:
    """Everyone's history, for the server's command line (`coach export --out`)."""
    everyone = await store.people(workspace.id, active_only=False)
    reps = [p for p in everyone if p.role is Role.REP]
    cycle = calendar.current_cycle(now, zone(None, default_tz))
    found = await _history(store, workspace.id, Scope.EVERYONE, reps, cycle)
    audit(store, workspace.id, AuditAction.EXPORT_HISTORY, now, None)
    return found
