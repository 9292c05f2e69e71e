"""The Web API methods the sandbox knows (methods.json): scopes, required args, rate tiers."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, cast

# Slack's rate-limit tiers: calls per method per workspace in a minute, before "+" bursts.
TIER_PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
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
        "files:write",
    }
)


def _catalog() -> dict[str, dict[str, Any]]:
    """Method name → its entry in methods.json (bot_scopes, required_args, tier)."""
    text = resources.files("app.sandbox").joinpath("methods.json").read_text()
    return cast(dict[str, dict[str, Any]], json.loads(text)["methods"])
