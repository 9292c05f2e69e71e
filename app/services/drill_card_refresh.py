"""The rep's drill card, shown again after each recording: the card coach sent on
Wednesday, as the recording just saved leaves it, and where it is in Slack."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.store import Store
from app.rules.types import Step
from app.services.drill_reports import DrillAssignment
from app.services.weekly_messages import DrillCard


@dataclass(frozen=True)
class ShownCard:
    channel: str
    ts: str
    card: DrillCard


async def card_to_refresh(store: Store, assignment: DrillAssignment) -> ShownCard | None:
    """None when the week's card never reached Slack."""
    sent = await store.sent_delivery(assignment.rep.id, Step.DRILL_CARD, assignment.cycle)
    if sent is None or not sent.channel_id or not sent.message_ts:
        return None
    return ShownCard(sent.channel_id, sent.message_ts, DrillCard.of(assignment))
