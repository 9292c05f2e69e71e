"""A system gap is the manager's to fix, not the rep's (DOMAIN: "escalate, do not coach the
rep on it"). Diagnosing one opens an action for the manager: it stays on their App Home and in
their director's digest until the manager (or the director) marks it resolved.

The action follows its cycle's diagnosis: saved again with a new wording, it says the new
words; changed to another gap, an unresolved action goes away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.db.models import ManagerAction, Person
from app.db.store import Store
from app.rules.refusals import Refusal, UserError
from app.rules.types import Gap
from app.services import access
from app.services.people import Actor


@dataclass(frozen=True)
class OpenAction:
    id: int
    rep: str  # Slack ids
    manager: str | None
    cycle: str
    action: str
    since: date


async def follow_diagnosis(
    store: Store,
    rep: Person,
    manager: Person,
    cycle: str,
    gap: Gap,
    action: str | None,
    now: datetime,
) -> None:
    """Keep the cycle's action in step with its diagnosis (called as it is saved)."""
    found = await store.manager_action_of(rep.id, cycle)
    if gap is not Gap.SYSTEM:
        if found is not None and found.resolved_at is None:
            await store.delete(found)
        return
    if found is None:
        found = ManagerAction(
            workspace_id=rep.workspace_id,
            person_id=rep.id,
            cycle_week=cycle,
            opened_at=now,
        )
        store.add(found)
    found.owner_id = manager.id
    found.action = (action or "").strip() or "Escalate the system gap"
    found.updated_at = now
    await store.flush()


async def open_for(store: Store, reps: list[Person]) -> list[OpenAction]:
    """The open actions about these reps, oldest first (one statement, and one for names)."""
    rows = await store.open_manager_actions(r.id for r in reps)
    by_id = {r.id: r for r in reps}
    owners = {p.id: p for p in await store.people_by_ids(r.owner_id for r in rows if r.owner_id)}
    return [_shown(row, by_id[row.person_id], owners.get(row.owner_id or 0)) for row in rows]


def _shown(row: ManagerAction, rep: Person, owner: Person | None) -> OpenAction:
    return OpenAction(
        id=row.id,
        rep=rep.slack_user_id,
        manager=owner.slack_user_id if owner is not None else None,
        cycle=row.cycle_week,
        action=row.action,
        since=row.opened_at.date(),
    )


async def resolve(store: Store, actor: Actor, action_id: int, now: datetime) -> OpenAction:
    """Mark an action resolved: the rep's manager or director may; anyone else is refused.
    Resolving it twice changes nothing."""
    row = await store.manager_action(action_id)
    rep = await store.person_by_id(row.person_id) if row is not None else None
    if row is None or rep is None or rep.workspace_id != actor.workspace.id:
        raise UserError(Refusal.ACTION_CLOSED)
    me = await access.require_coach(store, actor, rep)
    if row.resolved_at is None:
        row.resolved_at, row.resolved_by, row.updated_at = now, me.id, now
    owner = await store.person_by_id(row.owner_id) if row.owner_id else None
    return _shown(row, rep, owner)
