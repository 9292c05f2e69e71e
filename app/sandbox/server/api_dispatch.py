"""One Web API call end to end: read its arguments, apply scripted faults and rate limits,
check the caller, run the method, log the call, answer (late, when told to)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from app.sandbox.server.credential_checks import CredentialChecks
from app.sandbox.server.fault_injection import FaultInjection
from app.sandbox.server.slack_errors import Handler, SlackError
from app.sandbox.state import Call, Fault

JSON_ARGS = ("blocks", "view", "metadata", "attachments")
Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, JSON body, headers


async def read_args(request: web.Request) -> dict[str, Any]:
    """Query, form or JSON body; form posts carry blocks, view, metadata as JSON strings."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        raw = await request.read()
        if request.content_type == "application/json":
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
        else:
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in JSON_ARGS:
        if isinstance(args.get(key), str) and args[key]:
            try:
                args[key] = json.loads(args[key])
            except json.JSONDecodeError as exc:
                raise SlackError(
                    f"invalid_{key}" if key != "blocks" else "invalid_blocks_format"
                ) from exc
    return args


class ApiDispatch(FaultInjection, CredentialChecks):
    _handlers: dict[str, Handler]  # method name -> what does its work

    async def _serve_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        now = self.clock()
        status, body, headers = 200, dict[str, Any](), dict[str, str]()
        args: dict[str, Any] = {}
        fault: Fault | None = None
        team: str | None = None
        self.state.connections.add(
            str(request.transport and request.transport.get_extra_info("peername"))
        )
        try:
            args = await read_args(request)
            token = self._token(request, args)
            team = self.teams.get(token) if token is not None else None
            handler = self._handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            fault = self._fault_for(method, args, team)
            if fault is not None and fault.html:
                self.state.calls.append(Call(method, args, fault.status, {"ok": False}, now, team))
                return web.Response(
                    text="<html><body>502 Bad Gateway</body></html>",
                    status=fault.status,
                    content_type="text/html",
                )
            status, body, headers = self._refusal(method, fault, now, team)
            if not body:
                self._check_caller(method, request, args, token)
                self.caller_team = team or self.state.team_id
                body = {"ok": True, **await handler(args)}
                self._stored(method)
                if fault is not None and fault.after_store:
                    status, body = fault.status, {"ok": False, "error": fault.error}
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
        self.state.calls.append(Call(method, args, status, body, now, team))
        # The work is done; the answer is late (a client timeout leaves it in doubt).
        late_s = self._late_s(method, args, fault)
        if late_s:
            await asyncio.sleep(late_s)
        return web.json_response(body, status=status, headers=headers)

    def _refusal(self, method: str, fault: Fault | None, now: datetime, team: str | None) -> Answer:
        """A scripted fault that refuses before any work, else the rate limit's 429, else
        nothing (an empty body: go on)."""
        headers: dict[str, str] = {}
        if fault is not None and not fault.delay_s and not fault.after_store:
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return fault.status, {"ok": False, "error": fault.error}, headers
        wait = self._over_rate_limit(method, now, team)
        if wait is not None:
            headers["Retry-After"] = str(wait)
            return 429, {"ok": False, "error": "ratelimited"}, headers
        return 200, {}, headers
