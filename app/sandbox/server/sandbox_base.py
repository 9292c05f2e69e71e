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
    bot_token: str
    bot_scopes: frozenset[str]
    base_url: str  # http://host:port once started
