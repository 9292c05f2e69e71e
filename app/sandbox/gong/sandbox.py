"""`GongSandbox`: a local Gong public API (v2) on loopback, assembled from its parts.

One aiohttp route serves everything; each request goes through, in order: scripted faults
(outage, scripted 429), credentials (Basic), the company's limits (per second, per day),
then the endpoint. Every request is logged; the answer is late when told to be.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from app.clock import Clock, system_clock
from app.sandbox.gong.credentials import credentials_match
from app.sandbox.gong.directory import Directory
from app.sandbox.gong.endpoints import CALLS_EXTENSIVE, USERS, Endpoints
from app.sandbox.gong.errors import ACCESS_DENIED, GongError, error_body, request_id
from app.sandbox.gong.faults import Faults
from app.sandbox.gong.limits import RateLimiter
from app.sandbox.gong.request_log import GongRequest, RequestLog
from app.sandbox.standin import NOT_JSON, Served, json_body

Handler = Callable[[dict[str, str], Any], dict[str, Any]]


class GongSandbox(Directory, Endpoints, Faults, RequestLog, Served):
    def __init__(
        self,
        *,
        access_key: str = "gong-sandbox-key",
        access_key_secret: str = "gong-sandbox-secret",
        page_size: int = 100,
        per_second: int = 3,
        per_day: int = 10_000,
        host_name: str = "sandbox.app.gong.io",
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.access_key = access_key
        self.access_key_secret = access_key_secret
        self.page_size = page_size
        self.host_name = host_name
        self.workspace_id = "623457276584334"
        self.company_slug = "coach-sandbox"
        self.limiter = RateLimiter(per_second, per_day)
        # Tests may swap these for a hand-moved clock.
        self.clock: Clock = system_clock
        self.monotonic: Callable[[], float] = time.monotonic
        self.requests = []
        self._cursor_salt = secrets.token_hex(8)
        self._init_directory()
        self._init_faults()
        self._routes: dict[tuple[str, str], Handler] = {
            ("GET", USERS): self._list_users,
            ("POST", CALLS_EXTENSIVE): self._list_calls,
        }
        self._init_served()

    async def _serve(self, request: web.Request) -> web.Response:
        arrived, wall = self.monotonic(), self.clock()
        query = dict(request.query)
        _, body = await json_body(request)
        rid = request_id()
        accepted = False
        status, headers = 200, dict[str, str]()
        response = self._outage_answer()
        if response is None:
            try:
                self._scripted_refusal()
                if self._revoked or not credentials_match(
                    request.headers.get("Authorization"), self.access_key, self.access_key_secret
                ):
                    raise GongError(401, ACCESS_DENIED)
                wait = self.limiter.admit(arrived, wall)
                if wait is not None:
                    raise GongError(
                        429,
                        "API call limit reached; retry later",
                        headers={"Retry-After": str(wait)},
                    )
                accepted = True
                payload = {"requestId": rid, **self._route(request, query, body)}
            except GongError as exc:
                status, headers = exc.status, exc.headers
                payload = error_body(rid, exc.messages)
            response = web.json_response(payload, status=status, headers=headers)
        self.requests.append(
            GongRequest(
                method=request.method,
                path=request.path,
                status=response.status,
                monotonic=arrived,
                wall=wall,
                body=None if body is NOT_JSON else body,
                query=query,
                accepted=accepted,
            )
        )
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        return response

    def _route(self, request: web.Request, query: dict[str, str], body: Any) -> dict[str, Any]:
        handler = self._routes.get((request.method, request.path))
        if handler is None:
            if any(path == request.path for _, path in self._routes):
                raise GongError(405, f"{request.method} is not allowed on {request.path}")
            raise GongError(404, f"No such endpoint: {request.path}")
        if body is NOT_JSON:
            raise GongError(400, "The request body is not valid JSON")
        return handler(query, body)
