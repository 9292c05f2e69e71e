"""Rows as Salesforce's JSON shows them: an `attributes` block, datetimes as
`2026-12-02T09:30:00.000+0000`, dates as `2026-12-18`, currency as a JSON number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def record(entity: str, version: str, record_id: str | None, row: dict[str, Any]) -> dict[str, Any]:
    attributes = {"type": entity}
    if record_id:
        attributes["url"] = f"/services/data/v{version}/sobjects/{entity}/{record_id}"
    return {"attributes": attributes, **{k: json_value(v) for k, v in row.items()}}
