"""Planning the drill's write-back on the week's coached CRM deals, through the ledger.

A row per rep, kind and week: "Coaching Drill This Week" set when the 1:1 notes are saved
(CRM_DRILL_SET), "Drill Recorded" checked when the rep's recordings reach the number they
committed to (CRM_DRILL_RECORDED). What a row writes is composed when it is sent, from what
is stored then, so a row planned again (the notes edited) writes the latest state once more
and nothing else. Only weeks whose deals came from the CRM plan anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.db.ledger import Ledger, Planned
from app.db.models import Person, Submission
from app.db.store import Store
from app.rules import calendar
from app.rules.types import Step

# A write-back waits out a CRM outage this long before it is given up (and shown as such).
CRM_WINDOW = timedelta(days=28)


def crm_ids(deals: list[dict[str, object]] | None) -> list[str]:
    """The CRM records among a week's deals, in order, once each."""
    found = [d.get("crm_id") for d in deals or [] if isinstance(d, dict)]
    return list(dict.fromkeys(i for i in found if isinstance(i, str)))


async def touches_crm(store: Store, rep: Person, cycle: str) -> bool:
    """Whether this week's deals, or last week's (whose fields the new drill resets), came
    from the CRM."""
    submissions = await store.weeks_of(Submission, [rep.id], calendar.previous_cycle(cycle), cycle)
    return any(crm_ids(s.deals) for s in submissions)


async def plan_crm_write(
    store: Store, ledger: Ledger, rep: Person, kind: Step, cycle: str, now: datetime
) -> bool:
    """Plan (or plan again) one write-back; False when the week touches no CRM record."""
    if not await touches_crm(store, rep, cycle):
        return False
    planned = Planned(
        workspace_id=rep.workspace_id,
        person_id=rep.id,
        kind=kind,
        cycle_week=cycle,
        due_at=now,
        expires_at=now + CRM_WINDOW,
    )
    if not await ledger.plan([planned], now):
        await ledger.rearm(rep.id, kind, cycle, now, now + CRM_WINDOW)
    return True
