"""Scripted misbehaviour: refused, rate-limited, slow, flaky and HTML answers, rate tiers.

Tests arm faults with the public methods here; the dispatcher asks `_fault_for` and
`_over_rate_limit` before doing a call's work, and `_stored` after it.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.server.method_catalog import TIER_PER_MINUTE
from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.state import Fault


class FaultInjection(SandboxBase):
    faults: list[Fault]
    rate_limits: dict[str, int]  # method -> calls per minute
    _flaky: dict[str, tuple[float, random.Random, float]]
    _latency: dict[str, tuple[float, frozenset[str] | None]]
    _watchers: dict[str, list[tuple[int, Callable[[], None]]]]
    _windows: dict[tuple[str | None, str], deque[datetime]]  # (team, method) -> recent calls

    def _init_faults(self) -> None:
        self.faults = []
        self.rate_limits = {}
        self._flaky = {}
        self._latency = {}
        self._watchers = {}
        self._windows = {}

    # --- test controls ----------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        count: int = 1,
        status: int = 500,
        error: str = "internal_error",
        only: dict[str, str] | None = None,
    ) -> None:
        """Refuse the next `count` calls to `method` (with these arguments, when `only`)."""
        self.faults.append(Fault(method, count, status=status, error=error, only=only))

    def rate_limit_next(
        self,
        method: str,
        *,
        count: int = 1,
        retry_after: int = 0,
        channels: frozenset[str] | None = None,
        team: str | None = None,
    ) -> None:
        """Answer the next `count` calls to `method` (posting to these channels, or with
        this workspace's token, when given) 429 with Retry-After."""
        self.faults.append(
            Fault(
                method,
                count,
                status=429,
                error="ratelimited",
                retry_after=retry_after,
                channels=channels,
                team=team,
            )
        )

    def slow_down(
        self, method: str, seconds: float, *, channels: frozenset[str] | None = None
    ) -> None:
        """Answer every call to `method` (posting to these channels, when given) only after
        `seconds`; its work is done at once."""
        self._latency[method] = (seconds, channels)

    def when_stored(self, method: str, nth: int, then: Callable[[], None]) -> None:
        """Call `then` once the nth successful call to `method` has done its work, before
        answering it (a test kills the caller there: posted, but never told so)."""
        self._watchers.setdefault(method, []).append((nth, then))

    def make_flaky(self, method: str, *, share: float, seed: int, stall_s: float = 1.0) -> None:
        """Misbehave on about `share` of the calls to `method`, in a repeatable mix: a 429
        (Retry-After: 1), a 500 before doing anything, a 500 after storing, or storing and
        answering only after `stall_s` (a client timeout)."""
        self._flaky[method] = (share, random.Random(seed), stall_s)

    def stall_next(self, method: str, *, seconds: float, count: int = 1) -> None:
        """Do the work at once, but answer only after `seconds` (to provoke client timeouts:
        Slack stored the message, the bot never heard)."""
        self.faults.append(Fault(method, count, status=200, delay_s=seconds))

    def set_rate_limit(self, method: str, per_minute: int) -> None:
        """At most `per_minute` calls to `method` in any minute, in each workspace."""
        self.rate_limits[method] = per_minute

    def enforce_tiers(self) -> None:
        """Hold every tiered method to its tier's calls per minute (Tier 2: 20, Tier 3: 50,
        Tier 4: 100), as Slack does per method and workspace; chat.postMessage (special)
        keeps whatever limit a test sets."""
        for method, entry in self.catalog.items():
            per_minute = TIER_PER_MINUTE.get(entry.get("tier") or "")
            if per_minute is not None and method not in self.rate_limits:
                self.rate_limits[method] = per_minute

    def answer_html_next(
        self, method: str, *, count: int = 1, status: int = 502, only: dict[str, str] | None = None
    ) -> None:
        """Answer the next calls to `method` the way a proxy in front of Slack can: an HTML
        error page, not JSON."""
        self.faults.append(Fault(method, count, status=status, html=True, only=only))

    # --- asked by the dispatcher ------------------------------------------------------
    def _fault_for(self, method: str, args: dict[str, Any], team: str | None) -> Fault | None:
        for fault in self.faults:
            if (
                fault.remaining > 0
                and fault.method in (method, "*")
                and (fault.team is None or fault.team == team)
                and (fault.channels is None or args.get("channel") in fault.channels)
                and (
                    fault.only is None or all(str(args.get(k)) == v for k, v in fault.only.items())
                )
            ):
                fault.remaining -= 1
                return fault
        return self._flaky_fault(method)

    def _flaky_fault(self, method: str) -> Fault | None:
        if method not in self._flaky:
            return None
        share, rng, stall_s = self._flaky[method]
        if rng.random() >= share:
            return None
        return rng.choice(
            [
                Fault(method, 1, status=429, error="ratelimited", retry_after=1),
                Fault(method, 1, status=500, error="internal_error"),
                Fault(method, 1, status=500, error="internal_error", after_store=True),
                Fault(method, 1, status=200, delay_s=stall_s),
            ]
        )

    def _over_rate_limit(self, method: str, now: datetime, team: str | None) -> int | None:
        """Seconds to wait, when `method` is over its per-minute limit in this workspace."""
        limit = self.rate_limits.get(method)
        if limit is None:
            return None
        window = self._windows.setdefault((team, method), deque())
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) >= limit:
            wait = (window[0] + timedelta(minutes=1) - now).total_seconds()
            return max(1, math.ceil(wait))
        window.append(now)
        return None

    def _late_s(self, method: str, args: dict[str, Any], fault: Fault | None) -> float:
        """How long to hold back the answer to a call whose work is done."""
        late = fault.delay_s if fault is not None else 0.0
        seconds, channels = self._latency.get(method, (0.0, None))
        if channels is None or args.get("channel") in channels:
            late += seconds
        return late

    def _stored(self, method: str) -> None:
        watchers = self._watchers.get(method)
        if not watchers:
            return
        done = sum(1 for call in self.state.calls if call.method == method and call.ok) + 1
        for nth, then in [w for w in watchers if w[0] == done]:
            watchers.remove((nth, then))
            then()
