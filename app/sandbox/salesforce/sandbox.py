"""`SalesforceSandbox`: a local Salesforce org on loopback, login host and instance in one.

Each request goes through, in order: scripted faults (outage, the proxy's 429), then for
/services/oauth2/token the JWT bearer flow; for /services/data/ scripted refusals, the
session, the daily API allocation, then the resource. Every REST answer carries
Sforce-Limit-Info; every request is logged; the answer is late when told to be.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from app.clock import Clock, system_clock
from app.sandbox.salesforce.auth import Logins, org_id
from app.sandbox.salesforce.errors import OAuthError, SalesforceError, not_found
from app.sandbox.salesforce.faults import Faults
from app.sandbox.salesforce.limits import ApiUsage
from app.sandbox.salesforce.paging import Batches
from app.sandbox.salesforce.request_log import RequestLog, SalesforceRequest
from app.sandbox.salesforce.rest import Rest
from app.sandbox.salesforce.updates import parser_error
from app.sandbox.standin import Served

TOKEN = "/services/oauth2/token"
_NOT_JSON = object()


class SalesforceSandbox(Rest, Logins, Faults, RequestLog, Served):
    body_limit = 5_000_000  # a composite update of 200 records fits

    def __init__(
        self,
        *,
        batch_size: int = 2000,
        daily_requests: int = 100_000,
        session_lifetime_s: float = 7200,
        sandbox_org: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        # Tests may swap these for a hand-moved clock.
        self.clock: Clock = system_clock
        self.monotonic: Callable[[], float] = time.monotonic
        self.batches = Batches(batch_size)
        self.usage = ApiUsage(daily_requests)
        self.session_lifetime = timedelta(seconds=session_lifetime_s)
        self.sandbox_org = sandbox_org
        self.org_id = org_id()
        self.requests: list[SalesforceRequest] = []
        self._init_org()
        self._init_logins()
        self._init_faults()
        self._init_served()

    @property
    def batch_size(self) -> int:
        return self.batches.size

    @batch_size.setter
    def batch_size(self, size: int) -> None:
        self.batches.size = size

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        arrived, wall = self.monotonic(), self.clock()
        raw = (await request.read()).decode("utf-8", errors="replace")
        logged: Any = None
        accepted = False
        response = self._outage_answer()
        if response is None and request.path == TOKEN:
            form = dict(parse_qsl(raw)) if request.method == "POST" else {}
            logged = {k: v for k, v in form.items() if k != "assertion"}
            response, accepted = self._token_answer(request.method, form)
        elif response is None:
            body: Any = None
            if raw:
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = _NOT_JSON
            logged = None if body is _NOT_JSON else body
            response, accepted = self._rest_answer(request, body, raw)
        self.requests.append(
            SalesforceRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=logged,
                status=response.status,
                accepted=accepted,
                monotonic=arrived,
                wall=wall,
            )
        )
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        return response

    def _token_answer(self, method: str, form: dict[str, str]) -> tuple[web.Response, bool]:
        if method != "POST":
            return web.json_response(
                {"error": "invalid_request", "error_description": "must use HTTP POST"},
                status=400,
            ), False
        try:
            return web.json_response(self._token(form)), True
        except OAuthError as exc:
            return web.json_response(exc.body(), status=exc.status), False

    def _rest_answer(self, request: web.Request, body: Any, raw: str) -> tuple[web.Response, bool]:
        if not request.path.startswith("/services/data/"):
            return web.json_response(not_found().body(), status=404), False
        accepted = False
        try:
            self._scripted_refusal()
            self._session_of(request.headers.get("Authorization"))
            self.usage.count()
            accepted = True
            if body is _NOT_JSON:
                raise parser_error("Unexpected character: was expecting a JSON value")
            payload = self._rest(request.method, request.path, dict(request.query), body, raw)
            status, headers = 200, {}
        except SalesforceError as exc:
            payload, status, headers = exc.body(), exc.status, exc.headers
        headers = {**headers, **self.usage.header}
        return web.json_response(payload, status=status, headers=headers), accepted
