"""Reading a CRM's answers as untrusted: ids, names, amounts, dates and datetimes of the
wrong type or out of range read as missing; text is cut to what coach keeps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_NAME = 255
MAX_AMOUNT = Decimal("1e15")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_OFFSET = re.compile(r"([+-][0-9]{2})([0-9]{2})$")


def text(value: Any, limit: int = MAX_NAME) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned[:limit] if cleaned else None


def identifier(value: Any, pattern: re.Pattern[str]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        return None
    return number.quantize(Decimal("0.01"))


def moment(value: Any) -> datetime | None:
    """An ISO 8601 datetime (Salesforce's `…T09:30:00.000+0000`, HubSpot's `…Z`), aware."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    raw = _OFFSET.sub(r"\1:\2", value.strip().replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    parsed = parsed.astimezone(UTC)
    return parsed if EARLIEST <= parsed < LATEST else None


def day(value: Any) -> date | None:
    """A date (`2026-12-18`), or the day of a datetime at UTC midnight (HubSpot's closedate)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    if len(value.strip()) == 10:
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if EARLIEST.date() <= parsed < LATEST.date() else None
    stamp = moment(value)
    return stamp.date() if stamp is not None else None


def flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def records(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
