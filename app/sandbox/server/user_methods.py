"""People and the team: users.info, users.list (paged), users.lookupByEmail, team.info."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.server.slack_errors import SlackError
from app.sandbox.state import SandboxUser

USERS_LIST_MAX = 1000


def _encode_cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _cursor_position(cursor: str, users: list[SandboxUser]) -> int:
    try:
        kind, _, user_id = base64.b64decode(cursor, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise SlackError("invalid_cursor") from exc
    ids = [u.id for u in users]
    if kind != "user" or user_id not in ids:
        raise SlackError("invalid_cursor")
    return ids.index(user_id)


class UserMethods(SandboxBase):
    async def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"team": {"id": self.state.team_id, "name": self.state.team_name}}

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
            start = _cursor_position(str(args["cursor"]), users)
        page = users[start : start + limit]
        following = start + limit if start + limit < len(users) else None
        cursor = _encode_cursor(users[following].id) if following is not None else ""
        return {
            "members": [self._shown(u) for u in page],
            "cache_ts": int(self.clock().timestamp()),
            "response_metadata": {"next_cursor": cursor},
        }

    async def _lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).strip().lower()
        for user in self.state.users.values():
            if (user.email or "").lower() == email and not user.deleted:
                return {"user": self._shown(user)}
        raise SlackError("users_not_found")
