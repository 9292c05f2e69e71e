"""The few things listeners read from a Slack payload, read as untrusted values.

The gate (`app.slack.runtime.request_gate`) already made
sure a payload names its workspace and person and,
for a click, its actions; what a click or a submission carries beyond that is read here, with
its type checked, so a payload of an unexpected shape is "out of date", never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.rules.types import as_typed, is_slack_user_id
from app.services.dm_replies import Incoming
from app.slack.metadata import dm_channel, message_ts


def _object(data: object, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _string(data: object, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def team_id(body: dict[str, Any]) -> str:
    """The workspace of an interaction (the gate checked it is there)."""
    return _string(_object(body, "team"), "id") or _string(body, "team_id") or ""


def user_id(body: dict[str, Any]) -> str:
    """The person acting in an interaction (the gate checked it is there)."""
    return _string(_object(body, "user"), "id") or _string(body, "user_id") or ""


def trigger_id(body: dict[str, Any]) -> str:
    return _string(body, "trigger_id") or ""


@dataclass(frozen=True)
class Clicked:
    action_id: str
    kind: str  # button, overflow, static_select …
    value: str | None  # the button's value, or the chosen option's


def action(body: dict[str, Any]) -> Clicked:
    """The (first) action of a click."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    value = _string(first, "value") or _string(_object(first, "selected_option"), "value")
    return Clicked(_string(first, "action_id") or "", _string(first, "type") or "", value)


def container_message(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(DM channel, ts) of the message a click came from; (None, None) from the App Home or
    anywhere that is not a direct message."""
    container = _object(body, "container")
    channel = dm_channel(container.get("channel_id"))
    ts = message_ts(container.get("message_ts"))
    return (channel, ts) if channel and ts else (None, None)


def private_metadata(view: dict[str, Any]) -> object:
    return view.get("private_metadata") if isinstance(view, dict) else None


def direct_message(event: dict[str, Any]) -> tuple[str, Incoming] | None:
    """(who, what) of a message someone typed in their DM with coach; None for anything else
    (another kind of channel, an edit or a bot's message, or a shape Slack never sends)."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None
    user, channel = _string(event, "user"), dm_channel(event.get("channel"))
    ts, text = message_ts(event.get("ts")), _string(event, "text")
    thread = event.get("thread_ts")
    if user is None or not is_slack_user_id(user) or channel is None or ts is None:
        return None
    if text is None or (thread is not None and message_ts(thread) is None):
        return None
    return user, Incoming(channel, ts, message_ts(thread), as_typed(text))


@dataclass(frozen=True)
class OpenView:
    """The modal a click inside it came from: what views.update needs to replace it."""

    id: str
    hash: str | None
    view: dict[str, Any]


def open_view(body: dict[str, Any]) -> OpenView | None:
    view = _object(body, "view")
    view_id = _string(view, "id")
    return OpenView(view_id, _string(view, "hash"), view) if view_id else None
