"""The gate in front of bolt: a request acts only if Slack signed it within the last five
minutes and its body is a payload of a kind and shape that coach serves.

Each check runs before the next one looks further into the request: the signature and its
timestamp on the raw bytes (401), then the text encoding and the JSON (400), then the envelope
every listener relies on (which workspace, which person, what kind of payload) (400). A refused
request is answered at once and leaves one log line with the reason: never its body.

What lies deeper (button values, private_metadata, form state) is the listeners' to parse:
`app.slack.metadata` and `app.slack.forms` read those as untrusted values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from app.rules.types import is_slack_user_id

SIGNATURE_WINDOW_S = 5 * 60  # Slack's own: a request older than this may be a replay
MAX_NESTING = 64  # Slack's deepest payloads (a view's blocks and state) stay far below
MAX_FORM_FIELDS = 64

_DIGITS = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,31}")
_EVENT_ID = re.compile(r"[A-Za-z0-9]{2,64}")
_INTERACTIVE = frozenset({"block_actions", "view_submission"})


@dataclass(frozen=True)
class Refused:
    """Why a request is turned away: the HTTP status and a reason for the log line."""

    status: int
    reason: str


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request body (the sandbox signs with it too)."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check_signature(
    secret: str, headers: Mapping[str, str], body: bytes, now: float
) -> Refused | None:
    """None when `body` is signed with `secret` at a time within five minutes of `now`."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if not timestamp or not signature:
        return Refused(401, "unsigned")
    if not _DIGITS.fullmatch(timestamp):
        return Refused(401, "timestamp_not_a_number")
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_S:
        return Refused(401, "stale_timestamp")
    if not _SIGNATURE.fullmatch(signature):
        return Refused(401, "malformed_signature")
    expected = signature_of(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        return Refused(401, "bad_signature")
    return None


Payload = dict[str, Any]  # a checked body, as bolt parses it: what the routing table reads


def read_payload(content_type: str, body: bytes) -> Payload | Refused:
    """A signed body read as bolt reads it (an event's JSON, an interaction's `payload`, a
    command's fields), when it is a payload coach serves, of the shape Slack sends."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refused(400, "not_utf8")
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        parsed = _json_object(text)
        return parsed if isinstance(parsed, Refused) else _checked(parsed, _check_event)
    if media == "application/x-www-form-urlencoded":
        return _read_form(text)
    return Refused(415, "unsupported_media_type")


def _checked(
    payload: Payload, check: Callable[[Mapping[str, Any]], Refused | None]
) -> Payload | Refused:
    return check(payload) or payload


def _json_object(text: str) -> dict[str, Any] | Refused:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return Refused(400, "bad_json")
    if not isinstance(data, dict):
        return Refused(400, "json_not_an_object")
    if _nesting(data) > MAX_NESTING:
        return Refused(400, "nested_too_deep")
    return data


def _nesting(value: Any) -> int:
    """How deep lists and objects nest in `value` (without recursion: no depth can crash it)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _form(text: str) -> dict[str, str] | Refused:
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_FIELDS
        )
    except (ValueError, UnicodeDecodeError):
        return Refused(400, "bad_form")
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            return Refused(400, "repeated_form_field")
        fields[name] = value
    return fields


def _read_form(text: str) -> Payload | Refused:
    fields = _form(text)
    if isinstance(fields, Refused):
        return fields
    if "payload" in fields:
        payload = _json_object(fields["payload"])
        return payload if isinstance(payload, Refused) else _checked(payload, _check_interaction)
    if "command" in fields:
        return _checked(dict(fields), _check_command)
    if fields.get("ssl_check") == "1":
        return dict(fields)  # Slack checking the certificate: answered, nothing happens
    return Refused(400, "unknown_form")


def _string(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _is_team(value: str | None) -> bool:
    return value is not None and _TEAM_ID.fullmatch(value) is not None


def _is_user(value: str | None) -> bool:
    return value is not None and is_slack_user_id(value)


def _check_event(data: Mapping[str, Any]) -> Refused | None:
    kind = _string(data, "type")
    if kind == "url_verification":
        return None if _string(data, "challenge") else Refused(400, "no_challenge")
    if kind != "event_callback":
        return Refused(400, "unserved_event_payload")
    event_id = _string(data, "event_id")
    if not _is_team(_string(data, "team_id")):
        return Refused(400, "no_team")
    if event_id is None or not _EVENT_ID.fullmatch(event_id):
        return Refused(400, "no_event_id")
    if not _string(_object(data, "event"), "type"):
        return Refused(400, "no_event")
    return None


def _check_interaction(payload: Mapping[str, Any]) -> Refused | None:
    kind = _string(payload, "type")
    if kind not in _INTERACTIVE:
        return Refused(400, "unserved_interaction")
    if not _is_team(_string(_object(payload, "team"), "id")):
        return Refused(400, "no_team")
    if not _is_user(_string(_object(payload, "user"), "id")):
        return Refused(400, "no_user")
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return Refused(400, "no_actions")
        if not all(isinstance(a, dict) and _string(a, "action_id") for a in actions):
            return Refused(400, "bad_action")
        return None
    view = _object(payload, "view")
    if not _string(view, "callback_id") or not _string(view, "type"):
        return Refused(400, "bad_view")
    if not isinstance(view.get("state", {}), dict):
        return Refused(400, "bad_view")
    return None


def _check_command(fields: Mapping[str, str]) -> Refused | None:
    if not fields["command"].startswith("/"):
        return Refused(400, "bad_command")
    if not _is_team(fields.get("team_id")):
        return Refused(400, "no_team")
    if not _is_user(fields.get("user_id")):
        return Refused(400, "no_user")
    if not fields.get("response_url", "").startswith(("https://", "http://")):
        return Refused(400, "no_response_url")
    return None
