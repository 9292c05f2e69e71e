"""What every outside system's stand-in shares (Gong, Salesforce, HubSpot): being served on
this machine, and the outages tests arm: down behind a proxy (its HTML error page), slow.
Each stand-in adds its own refusals and its own 5xx wording."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from aiohttp import web

from app.sandbox import loopback

NOT_JSON: Any = object()  # a request body that is not JSON


async def json_body(request: web.Request) -> tuple[bytes, Any]:
    """The request's bytes and its JSON: None when there is no body, NOT_JSON when it isn't
    JSON."""
    raw = await request.read()
    if not raw:
        return raw, None
    try:
        return raw, json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw, NOT_JSON


class Served:
    """An aiohttp stand-in on a port the system picks; every path goes to `_serve`."""

    body_limit = 1_000_000  # bytes a request may carry
    _runner: web.AppRunner | None
    base_url: str

    def _init_served(self) -> None:
        self._runner = None
        self.base_url = ""

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0: any free port); returns the base URL."""
        app = web.Application(client_max_size=self.body_limit)
        app.router.add_route("*", "/{tail:.*}", self._serve)
        self._runner, self.base_url = await loopback.serve(app, host, port)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class Outages:
    """Down (every request answered with a 5xx) or slow (every answer late)."""

    proxy_pages: ClassVar[Mapping[int, str]] = MappingProxyType(
        {
            502: "502 Bad Gateway",
            503: "503 Service Temporarily Unavailable",
            504: "504 Gateway Time-out",
        }
    )
    _down_status: int | None
    _delay_s: float

    def _init_outages(self) -> None:
        self._down_status = None
        self._delay_s = 0.0

    def go_down(self, status: int = 503) -> None:
        """Answer every request with `status` (502/503/504: the proxy's HTML page)."""
        if not 500 <= status <= 599:
            raise ValueError("go_down takes a 5xx status")
        self._down_status = status

    def come_back(self) -> None:
        self._down_status = None

    def slow_down(self, seconds: float) -> None:
        """Answer every request only after `seconds` (0 to stop)."""
        self._delay_s = max(0.0, seconds)

    def _proxy_page(self) -> web.Response | None:
        """The proxy's page while down with one of its statuses, else None."""
        title = self.proxy_pages.get(self._down_status or 0)
        if title is None:
            return None
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return web.Response(text=page, status=self._down_status or 503, content_type="text/html")
