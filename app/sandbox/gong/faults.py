"""Scripted misbehaviour: a revoked key, an outage behind a proxy, slow answers, 429s.

Tests arm faults with the public methods here; the dispatcher asks `_scripted_refusal`
before it checks credentials or limits, and `_delay_s` before it answers.
"""

from __future__ import annotations

from aiohttp import web

from app.sandbox.gong.errors import GongError
from app.sandbox.standin import Outages


class Faults(Outages):
    _revoked: bool
    _rate_limited: list[int]  # Retry-After of each scripted 429 still to come

    def _init_faults(self) -> None:
        self._init_outages()
        self._revoked = False
        self._rate_limited = []

    # --- test controls ----------------------------------------------------------------
    def refuse_credentials(self) -> None:
        """The key was revoked: every request is 401 from now on."""
        self._revoked = True

    def rate_limit_next(self, count: int = 1, retry_after: int = 2) -> None:
        """The next `count` requests get 429 with `Retry-After: retry_after`."""
        self._rate_limited.extend([retry_after] * count)

    # --- asked by the dispatcher ------------------------------------------------------
    def _outage_answer(self) -> web.Response | None:
        return self._proxy_page()

    def _scripted_refusal(self) -> None:
        """Raise the armed fault for this request, if any."""
        if self._down_status is not None:
            raise GongError(self._down_status, "Internal server error")
        if self._rate_limited:
            wait = self._rate_limited.pop(0)
            raise GongError(
                429, "Too many requests; retry later", headers={"Retry-After": str(wait)}
            )
