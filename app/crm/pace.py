"""The CRM's limits, kept by every replica together (token buckets per workspace in the
database, app/db/pace.py): a short-term rate and the day's requests.

HubSpot limits a private app per 10 seconds (100 on Starter) and per day (250,000), and its
search endpoint to 5 a second: coach calls at most 4 a second, a fraction of either. Salesforce
publishes no per-second limit for REST, only the org's daily allocation, which every answer
reports in `Sforce-Limit-Info` (the client stops at 90% used); the day's bucket here is a
second fence, sized to a small org's allocation.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crm.provider import CrmBudgetSpent
from app.db import turns
from app.db.pace import Rate
from app.db.turns import daily_rates
from app.rules.types import CrmKind

MAX_PER_SECOND = 4.0
SALESFORCE_DAY = 15_000  # a Professional org's allocation is 15,000 + 1,000 per licence


def crm_rates(settings: Settings, kind: CrmKind) -> tuple[Rate, Rate]:
    if kind is CrmKind.HUBSPOT:
        per_second = min(MAX_PER_SECOND, settings.hubspot_requests_per_ten_seconds / 10 / 2)
        return daily_rates(per_second, settings.hubspot_requests_per_day)
    return daily_rates(MAX_PER_SECOND, SALESFORCE_DAY)


def shared_pace(
    db: async_sessionmaker[AsyncSession], workspace_id: int, settings: Settings, kind: CrmKind
) -> turns.SharedPace:
    rate, day = crm_rates(settings, kind)
    return turns.SharedPace(
        db, workspace_id, method=kind.value, rate=rate, day=day, spent=CrmBudgetSpent
    )


def local_pace(settings: Settings, kind: CrmKind) -> turns.LocalPace:
    """For `coach crm check` before coach has met any workspace."""
    return turns.LocalPace(crm_rates(settings, kind)[0])
