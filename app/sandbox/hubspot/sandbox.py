"""`HubSpotSandbox`: a local HubSpot CRM API (v3) on loopback, assembled from its parts.

One aiohttp route serves everything; each request goes through, in order: scripted faults
(outage, scripted 429), the private app's token and its scopes, the account's limits (per
10 seconds, per day, search's per second), then the endpoint. Every request is logged; the
answer is late when told to be.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from app.clock import Clock, system_clock
from app.sandbox.hubspot.account import Account
from app.sandbox.hubspot.endpoints import (
    ACCOUNT,
    BATCH_READ,
    BATCH_UPDATE,
    OWNERS,
    PIPELINES,
    PROPERTIES,
    SEARCH,
    Answer,
    Endpoints,
)
from app.sandbox.hubspot.errors import (
    HubSpotError,
    correlation_id,
    invalid,
    scopes_missing,
    unauthenticated,
)
from app.sandbox.hubspot.faults import Faults
from app.sandbox.hubspot.limits import RateLimiter
from app.sandbox.hubspot.request_log import HubSpotRequest, RequestLog
from app.sandbox.hubspot.schema import coach_properties
from app.sandbox.hubspot.writes import Writes
from app.sandbox.standin import NOT_JSON, Served, json_body

Handler = Callable[[dict[str, str], Any, str], Answer]
COACH_SCOPES = frozenset(
    {
        "crm.objects.deals.read",
        "crm.objects.deals.write",
        "crm.objects.owners.read",
        "crm.schemas.deals.read",
        "crm.schemas.deals.write",
    }
)


class HubSpotSandbox(Account, Endpoints, Writes, Faults, RequestLog, Served):
    def __init__(
        self,
        *,
        token: str = "pat-na1-sandbox-token",
        scopes: frozenset[str] = COACH_SCOPES,
        with_coach_properties: bool = True,
        drill_property: str = "coaching_drill_this_week",
        recorded_property: str = "drill_recorded",
        per_ten_seconds: int = 100,
        per_day: int = 250_000,
        search_per_second: int = 5,
        portal_id: int = 48_213_907,
        time_zone: str = "US/Eastern",
    ) -> None:
        self.token = token
        self.scopes = set(scopes)
        self.portal_id = portal_id
        self.time_zone = time_zone
        self.currency = "USD"
        self.limiter = RateLimiter(per_ten_seconds, per_day, search_per_second, time_zone)
        # Tests may swap these for hand-moved clocks.
        self.clock: Clock = system_clock
        self.monotonic: Callable[[], float] = time.monotonic
        self.requests = []
        self._init_account()
        if with_coach_properties:
            for prop in coach_properties(drill_property, recorded_property):
                prop.created = self.clock()
                self.properties[prop.name] = prop
        self._init_faults()
        # (method, path) -> (handler, scope it needs); a path ending in "/" takes a name
        self._routes: dict[tuple[str, str], tuple[Handler, str | None]] = {
            ("GET", OWNERS): (self._list_owners, "crm.objects.owners.read"),
            ("GET", PIPELINES): (self._list_pipelines, "crm.objects.deals.read"),
            ("GET", ACCOUNT): (self._account_details, None),
            ("POST", SEARCH): (self._search, "crm.objects.deals.read"),
            ("POST", BATCH_READ): (self._batch_read, "crm.objects.deals.read"),
            ("POST", BATCH_UPDATE): (self._batch_update, "crm.objects.deals.write"),
            ("GET", PROPERTIES + "/"): (self._get_property, "crm.schemas.deals.read"),
            ("POST", PROPERTIES): (self._create_property, "crm.schemas.deals.write"),
        }
        self._init_served()

    def _token_ok(self, header: str | None) -> bool:
        scheme, _, given = (header or "").partition(" ")
        if self._revoked or scheme.lower() != "bearer" or not given.strip():
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    def _resolve(self, method: str, path: str) -> tuple[Handler, str | None, str]:
        """The handler, its scope and the name at the end of the path (or "")."""
        trimmed = path.rstrip("/") or "/"
        found = self._routes.get((method, trimmed))
        if found is not None:
            return found[0], found[1], ""
        head, _, name = trimmed.rpartition("/")
        found = self._routes.get((method, head + "/"))
        if found is not None and name:
            return found[0], found[1], name
        if any(p.rstrip("/") in (trimmed, head) for _, p in self._routes):
            raise HubSpotError(405, f"HTTP 405 Method Not Allowed: {method} {path}")
        raise HubSpotError(404, f"Unable to route {method} {path}", "OBJECT_NOT_FOUND")

    async def _serve(self, request: web.Request) -> web.Response:
        arrived, wall = self.monotonic(), self.clock()
        query = dict(request.query)
        raw, body = await json_body(request)
        cid = correlation_id()
        accepted = False
        status, headers = 200, {"X-HubSpot-Correlation-Id": cid}
        response = self._outage_answer()
        if response is None:
            try:
                self._scripted_refusal()
                if not self._token_ok(request.headers.get("Authorization")):
                    raise unauthenticated()
                handler, scope, name = self._resolve(request.method, request.path)
                if scope is not None and scope not in self.scopes:
                    raise scopes_missing(scope)
                searching = handler == self._search
                self.limiter.admit(arrived, wall, search=searching)
                accepted = True
                if not searching:
                    headers |= self.limiter.headers(arrived)
                if raw and request.content_type != "application/json":
                    raise HubSpotError(415, "HTTP 415 Unsupported Media Type")
                if body is NOT_JSON:
                    raise invalid("Invalid input JSON: the body could not be parsed")
                status, payload = handler(query, body, name)
            except HubSpotError as exc:
                status = exc.status
                headers |= exc.headers
                payload = exc.body(cid)
            response = web.json_response(payload, status=status, headers=headers)
        self.requests.append(
            HubSpotRequest(
                method=request.method,
                path=request.path,
                query=query,
                body=None if body is NOT_JSON else body,
                status=response.status,
                accepted=accepted,
                monotonic=arrived,
                wall=wall,
            )
        )
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        return response
