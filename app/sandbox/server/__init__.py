"""A local stand-in for the Slack Web API on loopback, for tests and `coach demo`.

It answers the methods the bot calls the way Slack does, and rejects what Slack rejects:
bad auth and scopes, invalid Block Kit, over-limit fields, blocks without fallback text,
reused or expired trigger_ids, unknown channels and views. Tests can script 429s (integer
Retry-After), 5xx and slow answers, and read back every call.

One module per job: `slack_sandbox` assembles the parts (`api_dispatch`, `credential_checks`,
`fault_injection`, `auth_methods`, `chat_methods`, `view_methods`, `user_methods`,
`socket_mode_link`, `workspace_setup`, `call_log`).
"""

from app.sandbox.server.method_catalog import DEFAULT_BOT_SCOPES, TIER_PER_MINUTE, _catalog
from app.sandbox.server.slack_errors import Handler, SlackError
from app.sandbox.server.slack_sandbox import SlackSandbox

__all__ = [
    "DEFAULT_BOT_SCOPES",
    "TIER_PER_MINUTE",
    "Handler",
    "SlackError",
    "SlackSandbox",
    "_catalog",
]
