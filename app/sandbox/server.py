"""A local stand-in for the Slack Web API on loopback, for tests and `coach demo`.

It answers the methods the bot calls the way Slack does, and rejects what Slack rejects:
bad auth and scopes, invalid Block Kit, over-limit fields, blocks without fallback text,
reused or expired trigger_ids, unknown channels and views. Tests can script 429s (integer
Retry-After), 5xx and slow answers, and read back every call.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import math
import random
import re
import secrets
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from app.clock import Clock, system_clock
from app.sandbox import blockkit
from app.sandbox.state import (
    Call,
    Fault,
    Message,
    ResponseUrl,
    SandboxState,
    SandboxUser,
)
from app.slack.metadata import delivery_id_in

TRIGGER_TTL = timedelta(seconds=3)
RESPONSE_URL_TTL = timedelta(minutes=30)
OAUTH_CODE_TTL = timedelta(minutes=10)  # Slack: a temporary code expires after ten minutes
# Methods an app calls with its client id and secret instead of a token.
CLIENT_AUTH_METHODS = frozenset({"oauth.v2.access"})
# Methods that take the app-level token (xapp-, with connections:write), not a bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
SOCKET_ACK_S = 3.0  # Slack redelivers an envelope not acked by then
RESPONSE_URL_USES = 5
USERS_LIST_MAX = 1000
# Slack's rate-limit tiers: calls per method per workspace in a minute, before "+" bursts.
TIER_PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
VIEW_STACK_LIMIT = 3
MESSAGE_TEXT_LIMIT = 40_000
UPDATE_TEXT_LIMIT = 4_000
TRIGGER_FORMAT = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")
JSON_ARGS = ("blocks", "view", "metadata", "attachments")
DEFAULT_BOT_SCOPES = frozenset(
    {
        "chat:write",
        "commands",
        "users:read",
        "users:read.email",
        "im:write",
        "im:history",
        "reactions:write",
        "team:read",
    }
)


def _catalog() -> dict[str, dict[str, Any]]:
    text = resources.files("app.sandbox").joinpath("methods.json").read_text()
    return json.loads(text)["methods"]


def _encode_cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class SlackSandbox:
    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        team_name: str = "Coach Sandbox",
        bot_token: str = "xoxb-sandbox-token",
        bot_scopes: frozenset[str] = DEFAULT_BOT_SCOPES,
        clock: Clock = system_clock,
        messages_tab_enabled: bool = True,
        home_tab_enabled: bool = True,
        client_id: str = "1111.2222",
        client_secret: str = "sandbox-client-secret",
        app_token: str = "xapp-sandbox-token",
    ) -> None:
        self.state = SandboxState(team_id, team_name, bot_user_id="U0COACHBOT", bot_id="B0COACH")
        self.bot_token = bot_token
        self.app_token = app_token  # app-level: Socket Mode's apps.connections.open
        self._sockets: list[web.WebSocketResponse] = []
        self._tickets: set[str] = set()
        self.socket_acks: dict[str, dict[str, Any]] = {}  # envelope id -> the app's ack
        self.client_id = client_id
        self.client_secret = client_secret
        self._oauth_codes: dict[str, tuple[str, datetime]] = {}  # code -> (installer, issued)
        self.bot_scopes = bot_scopes
        self.revoked_tokens: set[str] = set()
        self.clock = clock
        self.messages_tab_enabled = messages_tab_enabled
        self.home_tab_enabled = home_tab_enabled
        self.catalog = _catalog()
        self.faults: list[Fault] = []
        self.rate_limits: dict[str, int] = {}  # method -> calls per minute
        self._flaky: dict[str, tuple[float, random.Random, float]] = {}
        self._latency: dict[str, float] = {}
        self._watchers: dict[str, list[tuple[int, Callable[[], None]]]] = {}
        self._windows: dict[str, deque[datetime]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "oauth.v2.access": self._oauth_access,
            "team.info": self._team_info,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._lookup_by_email,
            "reactions.add": self._reactions_add,
        }

    # --- lifecycle --------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=2_000_000)
        app.router.add_route("*", "/api/{method}", self._serve_api)
        app.router.add_post("/response/{token}", self._serve_response_url)
        app.router.add_get("/link", self._serve_socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
        self.base_url = f"http://{bound[0]}:{bound[1]}"
        return self.api_url

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # --- test controls ----------------------------------------------------------------
    def add_user(
        self, user_id: str, name: str, tz: str | None = "UTC", **extra: Any
    ) -> SandboxUser:
        user = SandboxUser(user_id, name, tz, **extra)
        self.state.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, members: set[str]) -> None:
        self.state.channels[channel_id] = set(members)

    def approve_install(self, installer: str = "U0INSTALLER") -> str:
        """What slack.com/oauth/v2/authorize does when `installer` clicks Allow: a one-time code
        for the app's redirect URL."""
        code = f"{self.state.team_id}.{secrets.token_hex(8)}"
        self._oauth_codes[code] = (installer, self.clock())
        return code

    def issue_trigger(self, user_id: str) -> str:
        return self.state.new_trigger(user_id, self.clock())

    def issue_response_url(self, user_id: str, channel_id: str | None) -> str:
        token = self.state.next_id("R")
        self.state.response_urls[token] = ResponseUrl(user_id, channel_id, self.clock())
        return f"{self.base_url}/response/{token}"

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
    ) -> None:
        self.faults.append(
            Fault(
                method,
                count,
                status=429,
                error="ratelimited",
                retry_after=retry_after,
                channels=channels,
            )
        )

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every call to `method` only after `seconds` (its work is done at once)."""
        self._latency[method] = seconds

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

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [c for c in self.state.calls if c.method == method and (c.ok or not ok_only)]

    def mark(self) -> int:
        """A position in the call log, for `wait_for_call(since=...)`."""
        return len(self.state.calls)

    async def wait_for_call(
        self,
        method: str,
        *,
        since: int = 0,
        where: Callable[[Call], bool] = lambda call: True,
        timeout_s: float = 5.0,
    ) -> Call:
        """The first call to `method` after position `since` that matches; the bot handles
        events after acking them, so their effects arrive a moment after the HTTP answer."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for call in self.state.calls[since:]:
                if call.method == method and where(call):
                    return call
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no {method} call matched within {timeout_s}s")
            await asyncio.sleep(0.01)

    async def wait_for_response(
        self, *, since: int, timeout_s: float = 5.0, url: str | None = None
    ) -> dict[str, Any]:
        """The first message posted to a response_url (to `url`, when given) after position
        `since` of that log."""
        token = url.rsplit("/", 1)[-1] if url else None
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for response in self.state.responses[since:]:
                if token is None or response["response_url"] == token:
                    return response
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"nothing was posted to a response_url within {timeout_s}s")
            await asyncio.sleep(0.01)

    def deliveries(self) -> Counter[int]:
        """Delivery id → how many messages in Slack carry it (whatever the bot was told)."""
        return Counter(
            delivery
            for messages in self.state.messages.values()
            for message in messages
            if (delivery := delivery_id_in(message.metadata)) is not None
        )

    def messages_to(self, user_id: str) -> list[Message]:
        return self.state.messages.get(self.state.dm_channel(user_id), [])

    # --- HTTP -------------------------------------------------------------------------
    async def _read_args(self, request: web.Request) -> dict[str, Any]:
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
        for key in JSON_ARGS:  # form posts carry these as JSON strings
            if isinstance(args.get(key), str) and args[key]:
                try:
                    args[key] = json.loads(args[key])
                except json.JSONDecodeError as exc:
                    raise SlackError(
                        f"invalid_{key}" if key != "blocks" else "invalid_blocks_format"
                    ) from exc
        return args

    def _token(self, request: web.Request, args: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip()
        token = args.pop("token", None)
        return str(token) if token else None

    def _fault_for(self, method: str, args: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if (
                fault.remaining > 0
                and fault.method in (method, "*")
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

    def _over_rate_limit(self, method: str, now: datetime) -> int | None:
        """Seconds to wait, when `method` is over its configured per-minute limit."""
        limit = self.rate_limits.get(method)
        if limit is None:
            return None
        window = self._windows.setdefault(method, deque())
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) >= limit:
            wait = (window[0] + timedelta(minutes=1) - now).total_seconds()
            return max(1, math.ceil(wait))
        window.append(now)
        return None

    def _check_access(self, method: str, token: str | None) -> None:
        if token is None:
            raise SlackError("not_authed")
        if token in self.revoked_tokens:
            raise SlackError("token_revoked")
        if token != self.bot_token:
            raise SlackError("invalid_auth")
        needed = self.catalog[method]["bot_scopes"]
        if needed and not self.bot_scopes.intersection(needed):
            raise SlackError(
                "missing_scope", needed=",".join(needed), provided=",".join(sorted(self.bot_scopes))
            )

    def _check_app_token(self, token: str | None) -> None:
        if token is None:
            raise SlackError("not_authed")
        if not token.startswith("xapp-") or token != self.app_token:
            raise SlackError("invalid_auth")

    def _check_client(self, request: web.Request, args: dict[str, Any]) -> None:
        """The app's credentials: HTTP Basic (what slack-sdk sends) or client_id/secret args."""
        client_id, client_secret = args.get("client_id"), args.pop("client_secret", None)
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise SlackError("invalid_client_id") from exc
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if not client_secret or not hmac.compare_digest(str(client_secret), self.client_secret):
            raise SlackError("bad_client_secret")

    def _check_required(self, method: str, args: dict[str, Any]) -> None:
        for name in self.catalog[method]["required_args"]:
            if args.get(name) in (None, ""):
                raise SlackError(
                    "invalid_arguments",
                    response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
                )

    async def _serve_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        now = self.clock()
        status, body, headers = 200, {}, {}
        args: dict[str, Any] = {}
        fault: Fault | None = None
        try:
            args = await self._read_args(request)
            token = self._token(request, args)
            handler = self._handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            fault = self._fault_for(method, args)
            if fault is not None and fault.html:
                self.state.calls.append(Call(method, args, fault.status, {"ok": False}, now))
                return web.Response(
                    text="<html><body>502 Bad Gateway</body></html>",
                    status=fault.status,
                    content_type="text/html",
                )
            if fault is not None and not fault.delay_s and not fault.after_store:
                status, body = fault.status, {"ok": False, "error": fault.error}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
            if not body:
                wait = self._over_rate_limit(method, now)
                if wait is not None:
                    status, body = 429, {"ok": False, "error": "ratelimited"}
                    headers["Retry-After"] = str(wait)
            if not body:
                if method in CLIENT_AUTH_METHODS:
                    self._check_client(request, args)
                elif method in APP_TOKEN_METHODS:
                    self._check_app_token(token)
                else:
                    self._check_access(method, token)
                self._check_required(method, args)
                body = {"ok": True, **await handler(args)}
                self._stored(method)
                if fault is not None and fault.after_store:
                    status, body = fault.status, {"ok": False, "error": fault.error}
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
        self.state.calls.append(Call(method, args, status, body, now))
        # The work is done; the answer is late (a client timeout leaves it in doubt).
        late_s = (fault.delay_s if fault is not None else 0.0) + self._latency.get(method, 0.0)
        if late_s:
            await asyncio.sleep(late_s)
        return web.json_response(body, status=status, headers=headers)

    def _stored(self, method: str) -> None:
        watchers = self._watchers.get(method)
        if not watchers:
            return
        done = sum(1 for call in self.state.calls if call.method == method and call.ok) + 1
        for nth, then in [w for w in watchers if w[0] == done]:
            watchers.remove((nth, then))
            then()

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        entry = self.state.response_urls.get(token)
        now = self.clock()
        if entry is None:
            return web.json_response({"ok": False, "error": "invalid_url"}, status=404)
        if now - entry.issued_at > RESPONSE_URL_TTL:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        if entry.uses >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        payload = json.loads(await request.read() or b"{}")
        problems = self._message_problems(payload, require_text=True)
        if problems:
            return web.json_response({"ok": False, "error": problems}, status=400)
        entry.uses += 1
        self.state.responses.append(
            {"user": entry.user, "channel": entry.channel, "response_url": token, **payload}
        )
        return web.json_response({"ok": True})

    # --- shared checks ----------------------------------------------------------------
    def _message_problems(self, args: dict[str, Any], *, require_text: bool) -> str | None:
        text, blocks = args.get("text"), args.get("blocks")
        if not text and not blocks and not args.get("attachments"):
            return "no_text"
        if blocks and require_text and not text:
            # Slack only warns; we refuse, because notifications show nothing without it.
            return "no_text"
        if text and len(str(text)) > MESSAGE_TEXT_LIMIT:
            return "msg_too_long"
        if blocks is not None and blockkit.check_message_blocks(blocks):
            return "invalid_blocks"
        return None

    def _require_message(self, args: dict[str, Any]) -> None:
        error = self._message_problems(args, require_text=True)
        if error == "invalid_blocks":
            problems = blockkit.check_message_blocks(args.get("blocks"))
            raise SlackError(error, errors=[p.as_dict() for p in problems])
        if error:
            raise SlackError(error)
        metadata = args.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _resolve_channel(self, channel: str) -> str:
        state = self.state
        if channel.startswith(("U", "W")):
            user = state.users.get(channel)
            if user is None:
                raise SlackError("channel_not_found")
            if user.deleted:
                raise SlackError("account_inactive")
            if not self.messages_tab_enabled:
                raise SlackError("messages_tab_disabled")
            return state.dm_channel(channel)
        if channel not in state.channels:
            raise SlackError("channel_not_found")
        if state.bot_user_id not in state.channels[channel]:
            raise SlackError("not_in_channel")
        return channel

    def _check_view(self, view: Any, expected_type: str | None = None) -> dict[str, Any]:
        problems = blockkit.check_view(view, expected_type=expected_type)
        if problems:
            raise SlackError("invalid_arguments", errors=[p.as_dict() for p in problems])
        return view

    def _use_trigger(self, trigger_id: Any) -> str:
        if not isinstance(trigger_id, str) or not TRIGGER_FORMAT.match(trigger_id):
            raise SlackError("invalid_trigger_id")
        trigger = self.state.triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def _store_view(
        self, view: dict[str, Any], user: str, root: str | None = None
    ) -> dict[str, Any]:
        view_id = self.state.next_id("V")
        external_id = view.get("external_id")
        if external_id and any(
            v.get("external_id") == external_id for v in self.state.views.values()
        ):
            raise SlackError("duplicate_external_id")
        stored = {
            **view,
            "id": view_id,
            "team_id": self.state.team_id,
            "hash": self.state.next_id("h"),
            "root_view_id": root or view_id,
            "previous_view_id": None,
            "state": {"values": {}},
            "user_id": user,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
        }
        self.state.views[view_id] = stored
        return stored

    # --- methods ----------------------------------------------------------------------
    async def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self.state
        return {
            "url": f"https://{s.team_name.lower().replace(' ', '-')}.slack.com/",
            "team": s.team_name,
            "user": "coach",
            "team_id": s.team_id,
            "user_id": s.bot_user_id,
            "bot_id": s.bot_id,
            "is_enterprise_install": False,
        }

    async def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        grant = args.get("grant_type") or "authorization_code"
        if grant == "refresh_token":  # token rotation is off: no refresh token was issued
            raise SlackError("invalid_refresh_token")
        if grant != "authorization_code":
            raise SlackError("invalid_grant_type")
        issued = self._oauth_codes.pop(str(args.get("code") or ""), None)  # single use
        if issued is None or self.clock() - issued[1] > OAUTH_CODE_TTL:
            raise SlackError("invalid_code")
        s = self.state
        return {
            "access_token": self.bot_token,
            "token_type": "bot",
            "scope": ",".join(sorted(self.bot_scopes)),
            "bot_user_id": s.bot_user_id,
            "app_id": "A0COACH",
            "team": {"id": s.team_id, "name": s.team_name},
            "enterprise": None,
            "authed_user": {"id": issued[0]},
            "is_enterprise_install": False,
        }

    async def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = secrets.token_hex(12)
        self._tickets.add(ticket)
        ws_url = self.base_url.replace("http://", "ws://", 1)
        return {"url": f"{ws_url}/link?ticket={ticket}"}

    async def _serve_socket(self, request: web.Request) -> web.StreamResponse:
        """Slack's side of Socket Mode: a hello on connect, then envelopes the app acks."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        self._tickets.discard(ticket)  # a ticket opens one connection
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "connection_info": {"app_id": "A0COACH"},
                "debug_info": {"host": "sandbox"},
            }
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self._socket_ack(frame.data)
        finally:
            self._sockets.remove(ws)
        return ws

    def _socket_ack(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            return
        if isinstance(ack, dict) and isinstance(ack.get("envelope_id"), str):
            self.socket_acks[ack["envelope_id"]] = ack

    @property
    def socket_connected(self) -> bool:
        return bool(self._sockets)

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver one envelope (events_api, interactive, slash_commands) over the app's
        socket and return its ack; TimeoutError when none comes within Slack's 3 s."""
        if not self._sockets:
            raise LookupError("no Socket Mode connection")
        envelope_id = secrets.token_hex(8)
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        deadline = asyncio.get_running_loop().time() + SOCKET_ACK_S
        while envelope_id not in self.socket_acks:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"envelope {envelope_id} not acked within {SOCKET_ACK_S}s")
            await asyncio.sleep(0.01)
        return self.socket_acks[envelope_id]

    async def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team": {"id": self.state.team_id, "name": self.state.team_name}}

    async def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        channel = self._resolve_channel(str(args["channel"]))
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m.ts == thread_ts for m in self.state.messages.get(channel, [])):
            raise SlackError("thread_not_found")
        message = Message(
            channel,
            self.state.new_ts(self.clock()),
            args.get("text"),
            args.get("blocks"),
            thread_ts=thread_ts,
            metadata=args.get("metadata"),
            user=self.state.bot_user_id,
        )
        self.state.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message.ts, "message": message.as_slack()}

    async def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        if args.get("text") and len(str(args["text"])) > UPDATE_TEXT_LIMIT:
            raise SlackError("msg_too_long")
        channel = str(args["channel"])
        if channel.startswith(("U", "W")):
            channel = self.state.dm_channel(channel)
        for message in self.state.messages.get(channel, []):
            if message.ts == args["ts"]:
                message.text = args.get("text")
                message.blocks = args.get("blocks")
                if args.get("metadata") is not None:
                    message.metadata = args["metadata"]
                message.edits += 1
                return {"channel": channel, "ts": message.ts, "text": message.text or ""}
        raise SlackError("message_not_found")

    async def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        user = str(args["user"])
        channel = self._resolve_channel(str(args["channel"]))
        if user not in self.state.channels.get(channel, set()):
            raise SlackError("user_not_in_channel")
        self.state.ephemerals.append({**args, "channel": channel})
        return {"message_ts": self.state.new_ts(self.clock())}

    async def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user in users:
            if user not in self.state.users:
                raise SlackError("user_not_found")
        if len(users) > 1:
            raise SlackError("not_supported", detail="the sandbox opens one-to-one DMs only")
        return {"channel": {"id": self.state.dm_channel(users[0])}}

    async def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel not in self.state.channels:
            raise SlackError("channel_not_found")
        limit = int(args.get("limit") or 100)
        oldest = float(args.get("oldest") or 0)
        messages = [m for m in self.state.messages.get(channel, []) if float(m.ts) >= oldest]
        newest_first = sorted(messages, key=lambda m: float(m.ts), reverse=True)[:limit]
        shown = [m.as_slack() for m in newest_first]
        if str(args.get("include_all_metadata")).lower() not in ("true", "1"):
            for message in shown:  # as Slack: metadata only when asked for
                message.pop("metadata", None)
        return {"messages": shown, "has_more": False}

    async def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        user = self._use_trigger(args.get("trigger_id"))
        stored = self._store_view(view, user)
        self.state.view_stacks[user] = [stored["id"]]
        return {"view": stored}

    async def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        user = self._use_trigger(args.get("trigger_id"))
        stack = self.state.view_stacks.get(user) or []
        if not stack:
            raise SlackError("not_found", detail="no open modal to push onto")
        if len(stack) >= VIEW_STACK_LIMIT:
            raise SlackError("push_limit_reached")
        stored = self._store_view(view, user, root=stack[0])
        stack.append(stored["id"])
        return {"view": stored}

    async def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args["view"], "modal")
        target = None
        if args.get("view_id"):
            target = self.state.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            target = next(
                (
                    v
                    for v in self.state.views.values()
                    if v.get("external_id") == args["external_id"]
                ),
                None,
            )
        if target is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != target["hash"]:
            raise SlackError("hash_conflict")
        target.update(view)
        target["hash"] = self.state.next_id("h")
        return {"view": target}

    async def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.home_tab_enabled:
            raise SlackError("not_enabled")
        view = self._check_view(args["view"], "home")
        user = str(args["user_id"])
        if user not in self.state.users:
            raise SlackError("user_not_found")
        current = self.state.home_views.get(user)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = {**view, "id": self.state.next_id("V"), "hash": self.state.next_id("h")}
        self.state.home_views[user] = stored
        return {"view": stored}

    def _user(self, user_id: Any) -> SandboxUser:
        user = self.state.users.get(str(user_id))
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _shown(self, user: SandboxUser) -> dict[str, Any]:
        """A user as Slack shows them to this bot: the email only with users:read.email."""
        shown = user.as_slack(self.clock(), self.state.team_id)
        if "users:read.email" not in self.bot_scopes:
            shown["profile"].pop("email", None)
        return shown

    async def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._shown(self._user(args["user"]))}

    async def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's paging: an opaque cursor, `limit` up to 1,000 (Slack may return fewer)."""
        raw_limit = str(args.get("limit") or "0")
        if not raw_limit.isascii() or not raw_limit.isdigit():
            raise SlackError("invalid_arguments")
        limit = min(int(raw_limit) or 100, USERS_LIST_MAX)
        users = sorted(self.state.users.values(), key=lambda u: u.id)
        start = 0
        if args.get("cursor"):
            start = self._cursor_position(str(args["cursor"]), users)
        page = users[start : start + limit]
        following = start + limit if start + limit < len(users) else None
        cursor = _encode_cursor(users[following].id) if following is not None else ""
        return {
            "members": [self._shown(u) for u in page],
            "cache_ts": int(self.clock().timestamp()),
            "response_metadata": {"next_cursor": cursor},
        }

    @staticmethod
    def _cursor_position(cursor: str, users: list[SandboxUser]) -> int:
        try:
            kind, _, user_id = base64.b64decode(cursor, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise SlackError("invalid_cursor") from exc
        ids = [u.id for u in users]
        if kind != "user" or user_id not in ids:
            raise SlackError("invalid_cursor")
        return ids.index(user_id)

    async def _lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).strip().lower()
        for user in self.state.users.values():
            if (user.email or "").lower() == email and not user.deleted:
                return {"user": self._shown(user)}
        raise SlackError("users_not_found")

    async def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = str(args["channel"]), str(args["timestamp"]), str(args["name"])
        if not any(m.ts == ts for m in self.state.messages.get(channel, [])):
            raise SlackError("message_not_found")
        names = self.state.reactions.setdefault((channel, ts), set())
        if name in names:
            raise SlackError("already_reacted")
        names.add(name)
        return {}
