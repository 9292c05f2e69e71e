"""The rep's drill card, shown again after each recording: the card coach sent on
Wednesday, as it stands now (its practice count), and where it is in Slack."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.store import Store
from app.rules.types import Step
from app.services.weekly_messages import DrillCard, drill_card


@dataclass(frozen=True)
class ShownCard:
    channel: str
    ts: str
    card: DrillCard


async def card_to_refresh(store: Store, rep_id: int, cycle: str) -> ShownCard | None:
    """None when no card of that week reached Slack (or the week has none)."""
    sent = await store.sent_delivery(rep_id, Step.DRILL_CARD, cycle)
    rep = await store.person_by_id(rep_id)
    if sent is None or rep is None or not sent.channel_id or not sent.message_ts:
        return None
    card = await drill_card(store, rep, cycle)
    return ShownCard(sent.channel_id, sent.message_ts, card) if card is not None else None
