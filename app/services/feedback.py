"""What reps tell us back: how much the 1:1 helped, and whether coached deals moved.

Both feed the metrics (1:1 helpfulness, deal progression). Each answer is the rep's own,
one per week (per deal), and a second tap replaces the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.db.models import Person
from app.db.store import Store
from app.rules.evidence import Deal
from app.rules.refusals import Refusal, UserError
from app.services import access
from app.services.people import Actor

HELPFULNESS_SCALE = range(1, 11)


async def rate_one_on_one(
    store: Store, actor: Actor, rep_slack_user_id: str, cycle: str, score: int, now: datetime
) -> int:
    """The rep's 1–10 answer to "how much did this week's 1:1 help you win a deal?"."""
    rep = access.require_own(actor, rep_slack_user_id)
    if score not in HELPFULNESS_SCALE:
        raise UserError(Refusal.RATING_OUT_OF_RANGE)
    record = (await store.one_on_ones([rep.id], cycle)).get(rep.id)
    if record is None or not record.held:
        raise UserError(Refusal.NO_ONE_ON_ONE_TO_RATE)
    await store.save_helpfulness(rep.id, cycle, score, now)
    return score


@dataclass(frozen=True)
class CoachedDeal:
    index: int  # its place in the week's submission
    name: str
    moved: bool | None  # the rep's answer so far


async def coached_deals(store: Store, rep: Person, cycle: str) -> list[CoachedDeal]:
    """The deals a rep shared for a week whose 1:1 was held, with any answer given (not
    those picked from a connected CRM: its stage history answers for them)."""
    return (await coached_deals_of(store, [rep], cycle)).get(rep.id, [])


async def coached_deals_of(
    store: Store, reps: Sequence[Person], cycle: str
) -> dict[int, list[CoachedDeal]]:
    """`coached_deals` of each of these reps (person id → deals; a rep without any is left
    out), read together: a few statements however many reps."""
    ids = [rep.id for rep in reps]
    records = await store.one_on_ones(ids, cycle)
    submissions = await store.submissions(ids, cycle)
    shared = {
        rep.id: [(n, Deal.from_json(deal)) for n, deal in enumerate(submissions[rep.id].deals)]
        for rep in reps
        if (record := records.get(rep.id)) is not None and record.held and rep.id in submissions
    }
    if not shared:
        return {}
    answered: dict[int, dict[int, bool | None]] = {rep_id: {} for rep_id in shared}
    for row in await store.deal_progress(list(shared), cycle):
        answered[row.person_id][row.deal_index] = row.moved
    workspace_of = {rep.id: rep.workspace_id for rep in reps}
    picked_from_crm = {
        workspace_of[rep_id] for rep_id, deals in shared.items() if any(d.crm_id for _, d in deals)
    }
    with_crm = await store.crm_workspace_ids(picked_from_crm) if picked_from_crm else set()
    found = {}
    for rep_id, deals in shared.items():
        if workspace_of[rep_id] in with_crm:
            # The CRM's stage history says whether these moved: the rep is asked about the rest.
            deals = [(n, deal) for n, deal in deals if not deal.crm_id]
        found[rep_id] = [CoachedDeal(n, deal.name, answered[rep_id].get(n)) for n, deal in deals]
    return found


async def record_deal_progress(
    store: Store,
    actor: Actor,
    rep_slack_user_id: str,
    cycle: str,
    deal_index: int,
    moved: bool,
    now: datetime,
) -> CoachedDeal:
    rep = access.require_own(actor, rep_slack_user_id)
    deals = {d.index: d for d in await coached_deals(store, rep, cycle)}
    if deal_index not in deals:
        raise UserError(Refusal.NOT_A_COACHED_DEAL)
    await store.save_deal_progress(rep.id, cycle, deal_index, moved, now)
    return CoachedDeal(deal_index, deals[deal_index].name, moved)
