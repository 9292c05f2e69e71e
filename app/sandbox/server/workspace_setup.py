"""Test controls that set up the workspace: its people and channels, triggers, response_urls."""

from __future__ import annotations

import secrets
from typing import Any

from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.state import ResponseUrl, SandboxUser


class WorkspaceSetup(SandboxBase):
    def add_team(self, team_id: str) -> str:
        """Another workspace coach is installed in: its own bot token, and its own rate
        limits (Slack counts each method per app and workspace). People and channels are
        one pool for all of them; ids must not clash."""
        token = f"xoxb-{team_id.lower()}-{secrets.token_hex(6)}"
        self.teams[token] = team_id
        return token

    def add_user(
        self, user_id: str, name: str, tz: str | None = "UTC", **extra: Any
    ) -> SandboxUser:
        user = SandboxUser(user_id, name, tz, **extra)
        self.state.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, members: set[str]) -> None:
        self.state.channels[channel_id] = set(members)

    def issue_trigger(self, user_id: str) -> str:
        return self.state.new_trigger(user_id, self.clock())

    def issue_response_url(self, user_id: str, channel_id: str | None) -> str:
        token = self.state.next_id("R")
        self.state.response_urls[token] = ResponseUrl(user_id, channel_id, self.clock())
        return f"{self.base_url}/response/{token}"
