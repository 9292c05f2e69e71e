"""Scripted misbehaviour: an outage behind Salesforce's proxies (go_down: every request, the
token endpoint's too; 502/503/504 the proxy's HTML page, other 5xx UNKNOWN_EXCEPTION), slow
answers, scripted refusals with Salesforce's own error codes, and 429s.

Salesforce itself never answers 429 for its API limits (it answers 403
REQUEST_LIMIT_EXCEEDED); `rate_limit_next` stands for a proxy or API gateway in front of
the org that does, with a Retry-After header.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from aiohttp import web

from app.sandbox.salesforce.errors import MESSAGES, SalesforceError
from app.sandbox.standin import Outages


class Faults(Outages):
    proxy_pages: ClassVar[Mapping[int, str]] = MappingProxyType(
        {
            502: "502 Bad Gateway",
            503: "503 Service Unavailable",
            504: "504 Gateway Timeout",
        }
    )
    _refusals: list[SalesforceError]
    _rate_limited: list[int]

    def _init_faults(self) -> None:
        self._init_outages()
        self._refusals = []
        self._rate_limited = []

    # --- test controls ----------------------------------------------------------------
    def fail_next(
        self,
        count: int = 1,
        status: int = 503,
        error_code: str = "SERVER_UNAVAILABLE",
        message: str | None = None,
    ) -> None:
        """The next `count` REST requests are refused with `[{"message", "errorCode"}]`."""
        text = message or MESSAGES.get(error_code, error_code)
        self._refusals.extend(SalesforceError(status, error_code, text) for _ in range(count))

    def rate_limit_next(self, count: int = 1, retry_after: int = 2) -> None:
        """The next `count` requests get 429 with `Retry-After: retry_after` (the proxy)."""
        self._rate_limited.extend([retry_after] * count)

    # --- asked by the dispatcher ------------------------------------------------------
    def _outage_answer(self) -> web.Response | None:
        status = self._down_status
        if status is None:
            if not self._rate_limited:
                return None
            wait = self._rate_limited.pop(0)
            return web.Response(
                text="Too Many Requests", status=429, headers={"Retry-After": str(wait)}
            )
        page = self._proxy_page()
        if page is None:  # not a proxy's status: Salesforce's own
            error = SalesforceError(status, "UNKNOWN_EXCEPTION", MESSAGES["UNKNOWN_EXCEPTION"])
            return web.json_response(error.body(), status=status)
        return page

    def _scripted_refusal(self) -> None:
        if self._refusals:
            raise self._refusals.pop(0)
