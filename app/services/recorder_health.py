"""What an admin sees of the call recorder: whether it answers, why not, and who on the
roster it does not know (their calls can't be shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db.store import Store
from app.rules.types import ConnectionStatus, Role

SHOWN = 20  # unmatched people named; the rest counted


@dataclass(frozen=True)
class RecorderHealth:
    provider: str  # gong
    status: ConnectionStatus
    problem: str | None  # a short code: http_401, timeout, daily_limit …
    problem_at: datetime | None
    users_read_at: datetime | None
    matched: int
    unmatched: tuple[str, ...]  # Slack ids of reps the recorder has no user for
    unmatched_count: int
    stored_keys: bool = False  # an admin's key (not GONG_*): they may disconnect it


async def recorder_health(store: Store, workspace_id: int) -> RecorderHealth | None:
    row = await store.recorder_connection(workspace_id)
    if row is None or row.status == ConnectionStatus.DISCONNECTED:
        return None
    matches = await store.recorder_people(workspace_id)
    reps = [p for p in await store.people(workspace_id) if p.active and p.role is Role.REP]
    unmatched = []
    if row.users_read_at is not None:
        unmatched = [
            p.slack_user_id
            for p in reps
            if p.id not in matches or not matches[p.id].recorder_user_id
        ]
    return RecorderHealth(
        provider=row.provider,
        status=ConnectionStatus(row.status),
        problem=row.problem,
        problem_at=row.problem_at,
        users_read_at=row.users_read_at,
        matched=sum(1 for m in matches.values() if m.recorder_user_id),
        unmatched=tuple(unmatched[:SHOWN]),
        unmatched_count=len(unmatched),
        stored_keys=row.access_key is not None,
    )
