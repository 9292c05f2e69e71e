"""What an admin sees of the CRM: whether it answers and why not, whether the two
write-back fields exist, who on the roster it knows as a deal owner, and how the last
week's write-backs went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.db import delivery_report
from app.db.store import Store
from app.rules.types import CRM_NAMES, ConnectionStatus, CrmKind, DeliveryStatus, Role

SHOWN = 20  # unmatched reps named; the rest counted
WRITES_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class CrmWrites:
    """The write-backs planned in the last WRITES_WINDOW, by outcome."""

    written: int = 0
    waiting: int = 0  # planned, being sent, or waiting out the CRM
    failed: int = 0  # refused by the CRM (its reason is in the delivery problems)


@dataclass(frozen=True)
class CrmHealth:
    name: str  # "HubSpot"
    status: ConnectionStatus
    problem: str | None  # a short code: http_503, daily_limit, salesforce_invalid_grant …
    fields_ok: bool | None  # both write-back fields exist; None: not checked yet
    owners_read_at: datetime | None
    matched: int
    people: int  # active roster people who could own deals
    unmatched: tuple[str, ...]  # Slack ids of reps the CRM has no deal owner for
    unmatched_count: int
    writes: CrmWrites
    api_used: int | None = None  # Salesforce's daily allowance, as it last said
    api_allocation: int | None = None
    stored_keys: bool = False  # an admin's credentials (not SALESFORCE_*/HUBSPOT_*)


async def crm_health(store: Store, workspace_id: int, now: datetime) -> CrmHealth | None:
    row = await store.crm_connection(workspace_id)
    if row is None or row.status == ConnectionStatus.DISCONNECTED:
        return None
    matches = await store.crm_people(workspace_id)
    roster = [p for p in await store.people(workspace_id) if p.active]
    unmatched: list[str] = []
    if row.owners_read_at is not None:
        unmatched = [
            p.slack_user_id
            for p in roster
            if p.role is Role.REP and not (p.id in matches and matches[p.id].crm_user_id)
        ]
    counts = await delivery_report.crm_write_counts(
        store.session, workspace_id, now - WRITES_WINDOW
    )
    writes = CrmWrites(
        written=counts.get(DeliveryStatus.SENT, 0),
        waiting=counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
    )
    return CrmHealth(
        name=CRM_NAMES[CrmKind(row.provider)],
        status=ConnectionStatus(row.status),
        problem=row.problem,
        fields_ok=row.fields_ok,
        owners_read_at=row.owners_read_at,
        matched=sum(1 for p in roster if p.id in matches and matches[p.id].crm_user_id),
        people=len(roster),
        unmatched=tuple(unmatched[:SHOWN]),
        unmatched_count=len(unmatched),
        writes=writes,
        api_used=row.api_used,
        api_allocation=row.api_allocation,
        stored_keys=row.secret is not None,
    )
