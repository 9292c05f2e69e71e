"""What every part of the sandbox shares: the workspace it keeps, its clock and credentials.

The sandbox is one object (`SlackSandbox`) assembled from parts, one per job; each part
declares here, or itself, the attributes it reads, and `SlackSandbox.__init__` sets them.
"""

from __future__ import annotations

from typing import Any

from app.clock import Clock
from app.sandbox.state import SandboxState


class SandboxBase:
    state: SandboxState
    clock: Clock
    catalog: dict[str, dict[str, Any]]  # method name -> its methods.json entry
    bot_token: str  # the first workspace's (the one `state` describes)
    teams: dict[str, str]  # bot token -> the workspace (team id) it was issued in
    caller_team: str  # the workspace of the call being answered (read before any await)
    bot_scopes: frozenset[str]
    base_url: str  # http://host:port once started

    def token_of(self, team_id: str) -> str:
        """The bot token of a workspace (the first one's, or one `add_team` issued)."""
        return next(token for token, team in self.teams.items() if team == team_id)
