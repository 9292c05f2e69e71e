"""Queries about what coach sent and received: DMs, deliveries, managers' open actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.db.models import (
    Delivery,
    DirectMessage,
    ManagerAction,
)
from app.db.sql import Queries, insert_ignoring_conflicts, rowcount
from app.rules.types import DeliveryStatus, Step


class MessageQueries(Queries):
    # --- what managers took on (system gaps) ---------------------------------------------
    async def manager_action_of(self, person_id: int, cycle: str) -> ManagerAction | None:
        return await self.session.scalar(
            select(ManagerAction).where(
                ManagerAction.person_id == person_id, ManagerAction.cycle_week == cycle
            )
        )

    async def manager_action(self, action_id: int) -> ManagerAction | None:
        return await self.session.get(ManagerAction, action_id)

    async def open_manager_actions(self, rep_ids: Iterable[int]) -> Sequence[ManagerAction]:
        """The unresolved actions about these reps, oldest first."""
        wanted = list(set(rep_ids))
        if not wanted:
            return []
        query = (
            select(ManagerAction)
            .where(ManagerAction.person_id.in_(wanted), ManagerAction.resolved_at.is_(None))
            .order_by(ManagerAction.opened_at, ManagerAction.id)
        )
        return (await self.session.scalars(query)).all()

    # --- direct messages -----------------------------------------------------------------
    async def keep_direct_message(self, values: dict[str, Any]) -> DirectMessage | None:
        """Store what someone wrote (once per message: a redelivery stores nothing)."""
        result = await self.session.execute(
            insert_ignoring_conflicts(self.session, DirectMessage, values)
        )
        if not rowcount(result):
            return None
        return await self.session.scalar(
            select(DirectMessage).where(
                DirectMessage.channel_id == values["channel_id"],
                DirectMessage.message_ts == values["message_ts"],
            )
        )

    async def direct_message(self, message_id: int) -> DirectMessage | None:
        return await self.session.get(DirectMessage, message_id)

    async def hinted_since(self, person_id: int, since: datetime) -> bool:
        """Whether coach answered chit-chat from this person with a hint since `since`."""
        found = await self.session.scalar(
            select(DirectMessage.id)
            .where(
                DirectMessage.person_id == person_id,
                DirectMessage.outcome == "hint",
                DirectMessage.received_at >= since,
            )
            .limit(1)
        )
        return found is not None

    async def sent_delivery(self, person_id: int, kind: Step, cycle: str) -> Delivery | None:
        """The person's `kind` DM of `cycle`, once it is in Slack (with its channel and ts)."""
        return await self.session.scalar(
            select(Delivery)
            .where(
                Delivery.person_id == person_id,
                Delivery.kind == kind,
                Delivery.cycle_week == cycle,
                Delivery.status == DeliveryStatus.SENT,
                Delivery.message_ts.is_not(None),
            )
            .order_by(Delivery.id.desc())
            .limit(1)
        )

    async def sent_delivery_at(self, person_id: int, channel: str, ts: str) -> Delivery | None:
        """The scheduled DM coach posted to this person as message (channel, ts), if any."""
        return await self.session.scalar(
            select(Delivery).where(
                Delivery.person_id == person_id,
                Delivery.channel_id == channel,
                Delivery.message_ts == ts,
                Delivery.status == DeliveryStatus.SENT,
            )
        )

    async def delivered(self, person_ids: Iterable[int], kind: Step, cycle: str) -> set[int]:
        """Which of these people got their `kind` DM of `cycle` (one statement)."""
        wanted = list(set(person_ids))
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(Delivery.person_id).where(
                Delivery.person_id.in_(wanted),
                Delivery.kind == kind,
                Delivery.cycle_week == cycle,
                Delivery.status == DeliveryStatus.SENT,
            )
        )
        return set(rows.all())

    async def bot_posted(self, person_id: int, channel: str, ts: str) -> bool:
        """Whether message (channel, ts) is one coach posted into this person's own DM: a
        scheduled DM, or coach's answer to something they wrote there."""
        if await self.sent_delivery_at(person_id, channel, ts) is not None:
            return True
        answered = await self.session.scalar(
            select(DirectMessage.id).where(
                DirectMessage.person_id == person_id,
                DirectMessage.channel_id == channel,
                DirectMessage.answer_ts == ts,
            )
        )
        return answered is not None
