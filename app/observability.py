"""Prometheus metrics for the process: delivery outcomes, Slack 429s, ack latency, queue depth.

One dedicated registry (not prometheus_client's global one), so tests can build the web app
as often as they like. Queue depth is counted in the database at scrape time.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import Delivery
from app.rules.types import CRM_WRITES, DeliveryStatus

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
DELIVERY_OUTCOMES = (
    "sent",
    "reconciled",  # an earlier attempt had reached Slack: found, not posted again
    "retried",
    "failed",
    "cancelled",
    "skipped",  # past its window
    "lost",  # the lease had passed to another sender: not sent here
    "released",  # claimed, then handed back unsent at shutdown
    "held",  # its workspace is disabled (token refused): it waits, unsent
    "error",  # unexpected; the row is retried after its lease
)
ACK_KINDS = ("command", "action", "view", "event", "other")
SCRAPE_TIMEOUT_S = 2.0
UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)

_deliveries = Counter(
    "coach_deliveries",
    "Scheduled DMs by what happened to them on an attempt.",
    ["outcome"],
    registry=REGISTRY,
)
_ratelimited = Counter(
    "coach_slack_ratelimited",
    "HTTP 429 answers received from the Slack Web API.",
    ["method"],
    registry=REGISTRY,
)
_workspaces_disabled = Counter(
    "coach_workspaces_disabled",
    "Workspaces where coach stopped sending because Slack refused its token (alert on it).",
    ["reason"],
    registry=REGISTRY,
)
_ack_seconds = Histogram(
    "coach_ack_seconds",
    "Time from a POST /slack/events arriving to its response (Slack waits 3 s).",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
# Punctuality: from a minute (a tick's cadence) to the four hours a step's window lasts.
LATENESS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400)
_lateness = Histogram(
    "coach_delivery_lateness_seconds",
    "How long after its local due time a scheduled DM reached Slack, by step.",
    ["step"],
    registry=REGISTRY,
    buckets=LATENESS_BUCKETS,
)
for _outcome in DELIVERY_OUTCOMES:
    _deliveries.labels(_outcome)
for _kind in ACK_KINDS:
    _ack_seconds.labels(_kind)


def record_delivery(outcome: str, count: int = 1) -> None:
    if outcome not in DELIVERY_OUTCOMES:
        raise ValueError(f"unknown delivery outcome {outcome!r}; one of {DELIVERY_OUTCOMES}")
    _deliveries.labels(outcome).inc(count)


def record_lateness(step: str, seconds: float) -> None:
    _lateness.labels(step).observe(max(seconds, 0.0))


def record_ratelimited(method: str) -> None:
    _ratelimited.labels(method).inc()


def record_workspace_disabled(reason: str) -> None:
    _workspaces_disabled.labels(reason).inc()


def record_ack(kind: str, seconds: float) -> None:
    _ack_seconds.labels(kind if kind in ACK_KINDS else "other").observe(seconds)


# Slack puts "type" first in an interaction payload, so the head of the body names it.
_PAYLOAD_TYPE = re.compile(r'^\{\s*"type"\s*:\s*"(\w+)"')
_VIEW_TYPES = {"view_submission", "view_closed"}
_PAYLOAD_HEAD_BYTES = 200


def request_kind(content_type: str, body: bytes) -> str:
    """What Slack sent, from the content type and the first bytes: never parses the body."""
    if content_type.startswith("application/json"):
        return "event"
    if body.startswith(b"payload="):
        head = unquote_plus(body[8 : 8 + _PAYLOAD_HEAD_BYTES].decode("ascii", "replace"))
        match = _PAYLOAD_TYPE.match(head)
        if match is None:
            return "other"
        return "view" if match.group(1) in _VIEW_TYPES else "action"
    if body.startswith(b"command=") or b"&command=" in body:
        return "command"
    return "other"


@dataclass(frozen=True)
class QueueDepth:
    """Rows due by now and not done yet: DMs for Slack, and drill write-backs for the CRM
    (apart, so a CRM outage doesn't read as Slack falling behind)."""

    messages: int
    crm_writes: int


async def queue_depth(engine: AsyncEngine, now: datetime) -> QueueDepth | None:
    """Deliveries due by `now` and not sent yet; None when the database does not answer."""
    for_crm = Delivery.kind.in_(CRM_WRITES)
    statement = (
        select(for_crm, func.count())
        .select_from(Delivery)
        .where(Delivery.status.in_(UNSENT), Delivery.due_at <= now)
        .group_by(for_crm)
    )
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_S), engine.connect() as connection:
            counts = {bool(crm): int(n) for crm, n in (await connection.execute(statement)).all()}
    except Exception as exc:  # a scrape must still serve the other metrics
        log.warning("metrics: queue depth not counted (%s)", type(exc).__name__)
        return None
    return QueueDepth(counts.get(False, 0), counts.get(True, 0))


def exposition(depth: QueueDepth | None) -> bytes:
    """The registry in Prometheus text format, plus the queue depths when they were counted."""
    return generate_latest(REGISTRY) + generate_latest(_QueueDepth(depth))


class _QueueDepth(Collector):
    def __init__(self, depth: QueueDepth | None) -> None:
        self.depth = depth

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.depth is not None:
            yield GaugeMetricFamily(
                "coach_queue_depth", "DMs due now and not sent yet.", value=self.depth.messages
            )
            yield GaugeMetricFamily(
                "coach_crm_writes_due",
                "CRM write-backs due now and not written yet (waiting out the CRM, or queued).",
                value=self.depth.crm_writes,
            )
