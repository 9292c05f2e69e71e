"""Cursor paging as Gong does it: a `records` block on every list answer, and a cursor only
while more records remain. A cursor is bound to the endpoint and to every other input of the
call that made it; sent with different inputs, it is refused (400)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from app.sandbox.gong.errors import GongError

T = TypeVar("T")


def fingerprint(salt: str, endpoint: str, inputs: Any) -> str:
    canonical = json.dumps([salt, endpoint, inputs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def make_cursor(endpoint: str, bound_to: str, offset: int) -> str:
    raw = json.dumps({"e": endpoint, "f": bound_to, "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(cursor: Any, endpoint: str, bound_to: str) -> int:
    """The offset a cursor points at, or a 400 when it is not one of ours for these inputs."""
    if not isinstance(cursor, str) or not cursor:
        raise GongError(400, "cursor: must be the string returned by the previous call")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(decoded["o"])
        made_for = (decoded["e"], decoded["f"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GongError(400, "cursor: not a valid cursor") from exc
    if made_for != (endpoint, bound_to) or offset < 0:
        raise GongError(
            400, "cursor: does not match this request; repeat the call with the same inputs"
        )
    return offset


def page_of(
    items: Sequence[T], *, offset: int, size: int, endpoint: str, bound_to: str
) -> tuple[list[T], dict[str, Any]]:
    """The page starting at `offset` and its `records` block."""
    if offset and offset >= len(items):
        raise GongError(400, "cursor: no records remain past this cursor")
    page = list(items[offset : offset + size])
    records: dict[str, Any] = {
        "totalRecords": len(items),
        "currentPageSize": len(page),
        "currentPageNumber": offset // size,
    }
    if offset + len(page) < len(items):
        records["cursor"] = make_cursor(endpoint, bound_to, offset + len(page))
    return page, records
