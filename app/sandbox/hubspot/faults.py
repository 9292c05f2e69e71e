"""Scripted misbehaviour: a revoked token, an outage behind HubSpot's proxy, slow answers,
scripted 429s. The dispatcher asks `_scripted_refusal` before credentials and limits."""

from __future__ import annotations

from aiohttp import web

from app.sandbox.hubspot.errors import HubSpotError
from app.sandbox.hubspot.limits import SECONDLY, TEN_SECONDLY, rate_limited
from app.sandbox.standin import Outages

POLICIES = {"TEN_SECONDLY_ROLLING": TEN_SECONDLY, "SECONDLY": SECONDLY}


class Faults(Outages):
    _revoked: bool
    _rate_limited: list[tuple[str, int | None]]  # (policy, Retry-After) still to come

    def _init_faults(self) -> None:
        self._init_outages()
        self._revoked = False
        self._rate_limited = []

    # --- test controls ----------------------------------------------------------------
    def revoke_token(self) -> None:
        """The private app's token was rotated or the app deleted: 401 from now on."""
        self._revoked = True

    def rate_limit_next(
        self,
        count: int = 1,
        retry_after: int | None = 2,
        policy: str = "TEN_SECONDLY_ROLLING",
    ) -> None:
        """The next `count` requests get a 429 of `policy`, with `Retry-After: retry_after`
        (None: without one). HubSpot itself documents no Retry-After on its 429s and may not
        send one: this tests that a client honours the header when it does come."""
        if policy not in POLICIES:
            raise ValueError(f"policy is one of {sorted(POLICIES)}")
        self._rate_limited.extend([(policy, retry_after)] * count)

    # --- asked by the dispatcher ------------------------------------------------------
    def _outage_answer(self) -> web.Response | None:
        return self._proxy_page()

    def _scripted_refusal(self) -> None:
        if self._down_status is not None:
            raise HubSpotError(self._down_status, "internal error")
        if self._rate_limited:
            policy, wait = self._rate_limited.pop(0)
            headers = {} if wait is None else {"Retry-After": str(wait)}
            raise rate_limited(POLICIES[policy], headers)
