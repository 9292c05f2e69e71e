"""What the sandbox remembers: users, channels, messages, views, triggers, and every call."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class SandboxUser:
    id: str
    name: str
    tz: str | None = "UTC"
    email: str | None = None
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False

    def as_slack(self, now: datetime, team_id: str) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_admin": self.is_admin,
            "profile": {"real_name": self.name, "display_name": self.name, "email": self.email},
        }
        if self.tz:
            local = now.astimezone(ZoneInfo(self.tz))
            offset = local.utcoffset()
            user.update(
                tz=self.tz,
                tz_label=local.tzname(),
                tz_offset=int(offset.total_seconds()) if offset is not None else 0,
            )
        return user


@dataclass
class Call:
    """One Web API call the bot made, with what the sandbox answered."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: datetime
    team_id: str | None = None  # the workspace of the token the call carried

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.ok else str(self.response.get("error"))


@dataclass
class Message:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    user: str | None = None  # the author; the bot's user id for bot posts
    edits: int = 0
    files: list[str] | None = None  # ids of the files shared with it

    def as_slack(self) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text or ""}
        if self.user:
            message["user"] = self.user
        if self.blocks is not None:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.metadata:
            message["metadata"] = self.metadata
        if self.files:
            message["files"] = [{"id": file_id} for file_id in self.files]
        return message


@dataclass
class Trigger:
    user: str
    issued_at: datetime
    used: bool = False


@dataclass
class ResponseUrl:
    user: str
    channel: str | None
    issued_at: datetime
    uses: int = 0


@dataclass
class Fault:
    """A scripted failure for the next `remaining` calls of `method` ('*' for any)."""

    method: str
    remaining: int
    status: int = 500
    error: str = "internal_error"
    retry_after: int | None = None
    delay_s: float = 0.0
    channels: frozenset[str] | None = None  # only calls posting to these channels
    after_store: bool = False  # do the work, then answer with the error (ambiguous for the bot)
    html: bool = False  # answer with an HTML error page (a proxy's), not Slack's JSON
    only: dict[str, str] | None = None  # only calls with these arguments (e.g. one user)
    team: str | None = None  # only calls with this workspace's token


@dataclass
class SandboxFile:
    """A file the bot announced with files.getUploadURLExternal, then uploaded and completed."""

    id: str
    filename: str
    length: int  # the size it declared
    upload_token: str
    issued_at: datetime
    uploaded: bytes | None = None
    completed: bool = False
    processing: bool = False  # completed, but Slack hasn't finished with it: no block shows it
    title: str | None = None
    channels: list[str] = field(default_factory=list)  # where completeUploadExternal shared it

    @property
    def filetype(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "binary"


@dataclass
class SandboxState:
    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    users: dict[str, SandboxUser] = field(default_factory=dict)
    channels: dict[str, set[str]] = field(default_factory=dict)  # channel id -> member ids
    messages: dict[str, list[Message]] = field(default_factory=dict)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    view_stacks: dict[str, list[str]] = field(default_factory=dict)  # user -> view ids
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # Each TCP connection the bot's calls came over (its address and port): reuse shows here.
    connections: set[str] = field(default_factory=set)
    files: dict[str, SandboxFile] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def dm_channel(self, user_id: str) -> str:
        channel = "D" + user_id[1:]
        self.channels.setdefault(channel, {user_id, self.bot_user_id})
        return channel

    def user_of_dm(self, channel: str) -> str:
        """The person in a DM channel with the bot."""
        others = self.channels.get(channel, set()) - {self.bot_user_id}
        if len(others) != 1:
            raise LookupError(f"{channel} is not a DM with the bot")
        return next(iter(others))

    def new_ts(self, now: datetime) -> str:
        return f"{int(now.timestamp())}.{next(self._ids):06d}"

    def new_trigger(self, user: str, now: datetime) -> str:
        trigger_id = f"{int(now.timestamp())}.{next(self._ids)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user, now)
        return trigger_id
