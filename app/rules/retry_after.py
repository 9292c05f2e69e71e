"""How long an outside API asked coach to wait, from its Retry-After header."""

from __future__ import annotations

import math

MAX_WAIT_S = 3600.0


def seconds_to_wait(header: str | None, default: float = 1.0) -> float:
    """Retry-After in seconds (the delta-seconds form): at least one, at most an hour. A
    missing or odd value reads as `default`; an infinite one as the hour."""
    if header is None:
        return min(max(default, 1.0), MAX_WAIT_S)
    try:
        wait = float(header)
    except ValueError:
        return min(max(default, 1.0), MAX_WAIT_S)
    if not math.isfinite(wait):
        return MAX_WAIT_S
    return min(max(wait, 1.0), MAX_WAIT_S)
