"""The tick: plan what is due into the ledger, then claim, compose, send and record it.

`coach tick` and the in-process scheduler run exactly this. The ledger, not the SDK, decides
about retries: a 429 waits for Retry-After, a 5xx or a dropped connection backs off, a
permanent error (the person left, DMs are off) marks the row failed with its reason and the
queue goes on. Every scheduled DM carries its delivery id in the message metadata.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.db.ledger import AMBIGUOUS, Claimed, Ledger
from app.db.store import Store
from app.deps import Deps
from app.domain import planning, weekly_messages
from app.domain.types import Step
from app.slack.ids import DELIVERY_EVENT_TYPE
from app.slack.render.weekly import render

log = logging.getLogger(__name__)

CLAIM_BATCH = 20
RECONCILE_SLACK = timedelta(minutes=5)  # history is read from a little before the due time
RECONCILE_DEPTH = 50  # messages read back: far more than coach sends anyone in a week
MAX_BACKOFF = timedelta(minutes=15)
# Errors about the person or the workspace that no retry will fix.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "messages_tab_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "user_disabled",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "invalid_blocks",
        "invalid_metadata_format",
        "msg_too_long",
        "no_text",
    }
)

ClientFor = Callable[[int], Awaitable[AsyncWebClient]]


def sender_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    planned: int = 0
    expired: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        parts = [f"{self.planned} planned", f"{self.expired} past their window"]
        parts += [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        return ", ".join(parts)


async def posted_before(
    client: AsyncWebClient, slack_user_id: str, claim: Claimed
) -> tuple[str, str] | None:
    """(channel, ts) of this delivery's message, if an earlier attempt did post it: every DM
    carries its delivery id in message metadata, and the DM's history says what arrived."""
    opened = await client.conversations_open(users=slack_user_id)
    channel = str(opened["channel"]["id"])
    history = await client.conversations_history(
        channel=channel,
        oldest=f"{(claim.due_at - RECONCILE_SLACK).timestamp():.6f}",
        limit=RECONCILE_DEPTH,
        include_all_metadata=True,
    )
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            metadata.get("event_type") == DELIVERY_EVENT_TYPE
            and payload.get("delivery_id") == claim.id
        ):
            return channel, str(message["ts"])
    return None


def backoff(attempts: int) -> timedelta:
    base = timedelta(seconds=30) * (2 ** max(attempts - 1, 0))
    return min(base, MAX_BACKOFF) * random.uniform(0.5, 1.0)


class Outbox:
    def __init__(self, deps: Deps, client_for: ClientFor, owner: str | None = None) -> None:
        self.deps = deps
        self.client_for = client_for
        self.owner = owner or sender_id()

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Plan, expire and send everything due at `now`. Twice is the same as once."""
        now = now or self.deps.clock()
        report = TickReport()
        async with self.deps.db.begin() as session:
            report.planned = await planning.plan_due(
                Store(session), Ledger(session), now, self.deps.settings.coach_default_tz
            )
        report.outcomes = await self.send_due(now)
        async with self.deps.db.begin() as session:
            report.expired = await Ledger(session).expire(now)
        return report

    async def send_due(
        self, now: datetime | None = None, *, person_id: int | None = None, kind: Step | None = None
    ) -> Counter[str]:
        """Send what is due (only one person's deliveries of one kind, when given)."""
        outcomes: Counter[str] = Counter()
        while True:
            at = now or self.deps.clock()
            async with self.deps.db.begin() as session:
                claimed = await Ledger(session).claim(
                    at, self.owner, CLAIM_BATCH, person_id=person_id, kind=kind
                )
            if not claimed:
                return outcomes
            for claim in claimed:
                outcomes[await self.send_one(claim, at)] += 1

    async def send_one(self, claim: Claimed, now: datetime) -> str:
        tz = self.deps.settings.coach_default_tz
        async with self.deps.db.begin() as session:
            store, ledger = Store(session), Ledger(session)
            person = await store.person_by_id(claim.person_id)
            composed = await weekly_messages.compose(store, ledger, claim, person, now, tz)
            if isinstance(composed, weekly_messages.Skip):
                await ledger.cancelled(claim, composed.reason)
                return "cancelled"
            assert person is not None  # compose skips a recipient who is gone
        message = render(composed)
        client = await self.client_for(claim.workspace_id)
        if claim.ambiguous:
            try:
                found = await posted_before(client, person.slack_user_id, claim)
            except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                reason = f"{AMBIGUOUS}reconcile_failed:{type(exc).__name__}"
                return await self._retry(claim, backoff(claim.attempts), reason)
            if found is not None:
                async with self.deps.db.begin() as session:
                    await Ledger(session).sent(claim, found[0], found[1], self.deps.clock())
                log.info("delivery reconciled id=%s: it had reached Slack", claim.id)
                return "reconciled"
        try:
            response = await client.chat_postMessage(
                channel=person.slack_user_id,
                text=message.text,
                blocks=message.blocks,
                metadata={
                    "event_type": DELIVERY_EVENT_TYPE,
                    "event_payload": {"delivery_id": claim.id, "cycle": claim.cycle_week},
                },
            )
        except SlackApiError as exc:
            return await self._failed_send(claim, exc)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # The request may have been processed before the connection failed.
            reason = f"{AMBIGUOUS}{type(exc).__name__}"
            return await self._retry(claim, backoff(claim.attempts), reason)
        async with self.deps.db.begin() as session:
            await Ledger(session).sent(
                claim, str(response["channel"]), str(response["ts"]), self.deps.clock()
            )
        log.info("delivery sent id=%s kind=%s", claim.id, claim.kind.value)
        return "sent"

    async def _failed_send(self, claim: Claimed, exc: SlackApiError) -> str:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            retry_after = int(exc.response.headers.get("Retry-After", "1") or 1)
            return await self._retry(claim, timedelta(seconds=retry_after), "ratelimited")
        if error in PERMANENT_ERRORS:
            async with self.deps.db.begin() as session:
                await Ledger(session).failed(claim, error)
            log.warning("delivery failed id=%s error=%s", claim.id, error)
            return "failed"
        ambiguous = status >= 500  # Slack may have posted before failing
        reason = f"{AMBIGUOUS}{error}" if ambiguous else error
        return await self._retry(claim, backoff(claim.attempts), reason)

    async def _retry(self, claim: Claimed, wait: timedelta, reason: str) -> str:
        async with self.deps.db.begin() as session:
            await Ledger(session).retry_later(claim, self.deps.clock() + wait, reason)
        log.info(
            "delivery retry id=%s reason=%s in=%ss", claim.id, reason, int(wait.total_seconds())
        )
        return "retried"
