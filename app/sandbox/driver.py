"""Sends what Slack sends to the bot's /slack/events: signed, encoded and shaped like Slack."""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from app.sandbox.server import SlackSandbox
from app.sandbox.state import Message
from app.slack.runtime.request_gate import signature_of

AUTHORIZE_LINK = re.compile(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"')


@dataclass(frozen=True)
class Answer:
    """The bot's HTTP answer to one inbound request."""

    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


sign = signature_of  # what Slack puts in X-Slack-Signature


class SlackDriver:
    def __init__(
        self,
        sandbox: SlackSandbox,
        bot_url: str,
        signing_secret: str,
        *,
        timeout_s: float = 10.0,
    ) -> None:
        self.sandbox = sandbox
        self.events_url = bot_url.rstrip("/") + "/slack/events"
        self.signing_secret = signing_secret
        self.http = httpx.AsyncClient(timeout=timeout_s)

    async def close(self) -> None:
        await self.http.aclose()

    @property
    def team_id(self) -> str:
        return self.sandbox.state.team_id

    # --- raw ------------------------------------------------------------------------
    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        extra_headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> Answer:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": content_type, **(extra_headers or {})}
        if signed:
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = sign(secret or self.signing_secret, ts, body)
        response = await self.http.post(self.events_url, content=body, headers=headers)
        return Answer(response.status_code, response.text, dict(response.headers))

    # --- OAuth install --------------------------------------------------------------
    async def install(self, installer: str = "U0INSTALLER") -> Answer:
        """An admin installing coach in the sandbox's workspace: the browser opens
        /slack/install, follows its "Add to Slack" link (the sandbox approves at once) and
        comes back to the redirect URL with the code, the state and the state cookie."""
        base = self.events_url.removesuffix("/slack/events")
        page = await self.http.get(base + "/slack/install")
        link = AUTHORIZE_LINK.search(page.text)
        if page.status_code != 200 or link is None:
            return Answer(page.status_code, page.text, dict(page.headers))
        state = parse_qs(urlsplit(html.unescape(link.group(1))).query)["state"][0]
        # The cookie is Secure, which a client keeps off plain http: carry it as a browser
        # behind the TLS-terminating proxy would.
        cookie = page.headers.get("set-cookie", "").split(";", 1)[0]
        back = await self.http.get(
            base + "/slack/oauth_redirect",
            params={"code": self.sandbox.approve_install(installer), "state": state},
            headers={"Cookie": cookie},
        )
        return Answer(back.status_code, back.text, dict(back.headers))

    # --- slash commands -------------------------------------------------------------
    def command_body(self, user_id: str, command: str, text: str = "") -> bytes:
        fields = {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": "sandbox",
            "channel_id": self.sandbox.state.dm_channel(user_id),
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": self.sandbox.state.users[user_id].name
            if user_id in self.sandbox.state.users
            else user_id,
            "command": command,
            "text": text,
            "api_app_id": "A0COACH",
            "is_enterprise_install": "false",
            "response_url": self.sandbox.issue_response_url(user_id, None),
            "trigger_id": self.sandbox.issue_trigger(user_id),
        }
        return urlencode(fields).encode()

    async def command(self, user_id: str, command: str, text: str = "", **kwargs: Any) -> Answer:
        """What the person sees after typing a slash command: the ack's own answer, or, when
        the bot acked with an empty 200 and answers later, what it posts to the command's
        response_url (as the Answer's JSON body; the status is the ack's)."""
        return await self.send_command(self.command_body(user_id, command, text), **kwargs)

    async def send_command(self, body: bytes, **kwargs: Any) -> Answer:
        """`command` for a body built (and perhaps altered) beforehand."""
        since = len(self.sandbox.state.responses)
        acked = await self.post(body, "application/x-www-form-urlencoded", **kwargs)
        if acked.status != 200 or acked.text:
            return acked
        response_url = parse_qs(body.decode())["response_url"][0]
        reply = await self.sandbox.wait_for_response(
            since=since, url=response_url, timeout_s=self.http.timeout.read or 10.0
        )
        shown = {k: v for k, v in reply.items() if k not in ("user", "channel", "response_url")}
        return Answer(acked.status, json.dumps(shown), acked.headers)

    # --- Events API -----------------------------------------------------------------
    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> bytes:
        envelope = {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0COACH",
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(6).upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": self.sandbox.state.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        return json.dumps(envelope).encode()

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Answer:
        headers = {}
        if retry_num:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self.post(
            self.event_body(event, event_id), "application/json", extra_headers=headers
        )

    async def open_home(self, user_id: str) -> Answer:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.sandbox.state.dm_channel(user_id),
            "tab": "home",
        }
        return await self.event(event)

    async def user_change(self, user_id: str, *, event_id: str | None = None) -> Answer:
        user = self.sandbox.state.users[user_id].as_slack(self.sandbox.clock(), self.team_id)
        return await self.event({"type": "user_change", "user": user}, event_id=event_id)

    async def dm(self, user_id: str, text: str, *, thread_ts: str | None = None) -> Answer:
        """The person types in their DM with the bot: the sandbox keeps it, the bot is told."""
        channel = self.sandbox.state.dm_channel(user_id)
        message = Message(
            channel,
            self.sandbox.state.new_ts(self.sandbox.clock()),
            text,
            None,
            thread_ts=thread_ts,
            user=user_id,
        )
        self.sandbox.state.messages.setdefault(channel, []).append(message)
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.event(event)

    # --- interactivity --------------------------------------------------------------
    async def interaction(self, payload: dict[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded")

    def _user_block(self, user_id: str) -> dict[str, Any]:
        return {"id": user_id, "username": user_id, "name": user_id, "team_id": self.team_id}

    async def click(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        block_id: str = "actions",
        selected: str | None = None,
        element: str = "static_select",
    ) -> Answer:
        """A button click, or with `selected` the choice of an option in a menu (`element`:
        static_select or overflow)."""
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
            "text": {"type": "plain_text", "text": action_id},
        }
        if value is not None:
            action["value"] = value
        if selected is not None:
            action["type"] = element
            action["selected_option"] = {
                "text": {"type": "plain_text", "text": selected},
                "value": selected,
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "sandbox"},
            "user": self._user_block(user_id),
            "api_app_id": "A0COACH",
            "trigger_id": self.sandbox.issue_trigger(user_id),
            "actions": [action],
        }
        if message is not None:
            channel = channel_id or self.sandbox.state.dm_channel(user_id)
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
            }
            payload["channel"] = {"id": channel}
            payload["message"] = message
            payload["response_url"] = self.sandbox.issue_response_url(user_id, channel)
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        return await self.interaction(payload)

    async def submit(
        self, user_id: str, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> Answer:
        """Submit a modal the sandbox opened, with state values by block_id and action_id."""
        submitted = {"type": "modal", **view, "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "sandbox"},
            "user": self._user_block(user_id),
            "api_app_id": "A0COACH",
            "trigger_id": self.sandbox.issue_trigger(user_id),
            "view": submitted,
            "response_urls": [],
        }
        return await self.interaction(payload)

    async def open_modal(
        self, user_id: str, message: dict[str, Any], action_id: str, value: str | None = None
    ) -> dict[str, Any]:
        """Click a message button that opens a modal; the view the sandbox opened (with its id)."""
        since = self.sandbox.mark()
        if value is None:
            value = button_value(message, action_id)
        answer = await self.click(user_id, action_id, value, message=message)
        if answer.status != 200:
            raise AssertionError(f"{action_id} click answered HTTP {answer.status}")
        call = await self.sandbox.wait_for_call("views.open", since=since)
        if not call.ok:
            raise AssertionError(f"views.open refused: {call.response}")
        return dict(call.response["view"])


# --- what a person puts into a form, shaped like Slack's view state ----------------------
def typed(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str, kind: str = "static_select") -> dict[str, Any]:
    return {"value": {"type": kind, "selected_option": {"value": value}}}


def ticked(*values: str) -> dict[str, Any]:
    """Checkboxes with these options ticked (none: every box left empty)."""
    options = [{"value": value} for value in values]
    return {"value": {"type": "checkboxes", "selected_options": options}}


def button_value(message: dict[str, Any], action_id: str, block_prefix: str = "") -> str:
    """The value of the button `action_id` in the first actions block whose id starts so."""
    for block in message.get("blocks") or []:
        if block["type"] == "actions" and block.get("block_id", "").startswith(block_prefix):
            for element in block["elements"]:
                if element.get("action_id") == action_id:
                    return str(element["value"])
    raise LookupError(f"no {action_id} button in blocks starting {block_prefix!r}")


def left_as_shown(view: dict[str, Any], *block_ids: str) -> dict[str, dict[str, Any]]:
    """The state Slack sends for fields the person left as the form showed them (an initial
    date, text or option), by block id; a field shown empty is left out, as Slack does."""
    shown: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("block_id") not in block_ids:
            continue
        state: dict[str, Any] = {"type": element.get("type")}
        if element.get("initial_date"):
            state["selected_date"] = element["initial_date"]
        elif element.get("initial_value"):
            state["value"] = element["initial_value"]
        elif element.get("initial_option"):
            state["selected_option"] = {"value": element["initial_option"]["value"]}
        else:
            continue
        shown[block["block_id"]] = {element.get("action_id", "value"): state}
    return shown
