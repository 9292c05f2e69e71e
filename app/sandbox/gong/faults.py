"""Scripted misbehaviour: a revoked key, an outage behind a proxy, slow answers, 429s.

Tests arm faults with the public methods here; the dispatcher asks `_scripted_refusal`
before it checks credentials or limits, and `_delay_s` before it answers.
"""

from __future__ import annotations

from aiohttp import web

from app.sandbox.gong.errors import GongError

PROXY_PAGES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


class Faults:
    _revoked: bool
    _down_status: int | None
    _delay_s: float
    _rate_limited: list[int]  # Retry-After of each scripted 429 still to come

    def _init_faults(self) -> None:
        self._revoked = False
        self._down_status = None
        self._delay_s = 0.0
        self._rate_limited = []

    # --- test controls ----------------------------------------------------------------
    def refuse_credentials(self) -> None:
        """The key was revoked: every request is 401 from now on."""
        self._revoked = True

    def go_down(self, status: int = 503) -> None:
        """Answer every request with `status` (502/503/504: a proxy's HTML page)."""
        if not 500 <= status <= 599:
            raise ValueError("go_down takes a 5xx status")
        self._down_status = status

    def come_back(self) -> None:
        self._down_status = None

    def slow_down(self, seconds: float) -> None:
        """Answer every request only after `seconds` (0 to stop)."""
        self._delay_s = max(0.0, seconds)

    def rate_limit_next(self, count: int = 1, retry_after: int = 2) -> None:
        """The next `count` requests get 429 with `Retry-After: retry_after`."""
        self._rate_limited.extend([retry_after] * count)

    # --- asked by the dispatcher ------------------------------------------------------
    def _outage_answer(self) -> web.Response | None:
        status = self._down_status
        if status is None:
            return None
        if status in PROXY_PAGES:
            title = PROXY_PAGES[status]
            page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            return web.Response(text=page, status=status, content_type="text/html")
        return None

    def _scripted_refusal(self) -> None:
        """Raise the armed fault for this request, if any."""
        if self._down_status is not None:
            raise GongError(self._down_status, "Internal server error")
        if self._rate_limited:
            wait = self._rate_limited.pop(0)
            raise GongError(
                429, "Too many requests; retry later", headers={"Retry-After": str(wait)}
            )
