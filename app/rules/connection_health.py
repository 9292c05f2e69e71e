"""When an outside system (the call recorder, the CRM) may be called, and what its
connection row says after a sync went well or failed. Pure: the syncs store the values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.rules.types import ConnectionStatus

RETRY_AFTER_FAILURE = timedelta(minutes=10)  # down, slow, or answering oddly
RETRY_AFTER_BUDGET = timedelta(hours=1)  # coach's share of its daily requests is spent


def may_call(status: str, next_sync_at: datetime | None, same_keys: bool, now: datetime) -> bool:
    """Refused credentials are off until they change; a failure waits out its retry time
    (unless the credentials changed meanwhile)."""
    if status == ConnectionStatus.REFUSED and same_keys:
        return False
    return not (same_keys and next_sync_at is not None and now < next_sync_at)


def healthy_values(fingerprint: str) -> dict[str, Any]:
    return {
        "status": ConnectionStatus.OK,
        "problem": None,
        "problem_at": None,
        "next_sync_at": None,
        "key_fingerprint": fingerprint,
    }


def failed_values(
    code: str,
    now: datetime,
    fingerprint: str,
    *,
    refused: bool,
    budget_spent: bool,
    retry_after_s: float | None = None,
) -> dict[str, Any]:
    """Refused: off until the credentials change. Otherwise tried again after a while, or
    after the system's own Retry-After when that is longer."""
    wait = RETRY_AFTER_BUDGET if budget_spent else RETRY_AFTER_FAILURE
    if retry_after_s:
        wait = max(wait, timedelta(seconds=retry_after_s))
    return {
        "status": ConnectionStatus.REFUSED if refused else ConnectionStatus.FAILING,
        "problem": code[:64],
        "problem_at": now,
        "next_sync_at": None if refused else now + wait,
        "key_fingerprint": fingerprint,
    }
