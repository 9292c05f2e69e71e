"""What Slack checks in a message before posting it, and where a channel argument leads."""

from __future__ import annotations

from typing import Any

from app.sandbox import blockkit
from app.sandbox.server.file_refs import slack_file_problems
from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.server.slack_errors import SlackError

MESSAGE_TEXT_LIMIT = 40_000


class MessageChecks(SandboxBase):
    messages_tab_enabled: bool

    def _message_problems(self, args: dict[str, Any], *, require_text: bool) -> str | None:
        text, blocks = args.get("text"), args.get("blocks")
        if not text and not blocks and not args.get("attachments"):
            return "no_text"
        if blocks and require_text and not text:
            # Slack only warns; we refuse, because notifications show nothing without it.
            return "no_text"
        if text and len(str(text)) > MESSAGE_TEXT_LIMIT:
            return "msg_too_long"
        if blocks is not None and self._block_problems(blocks):
            return "invalid_blocks"
        return None

    def _block_problems(self, blocks: Any) -> list[blockkit.Problem]:
        """Block Kit's own checks, then the files its images point at."""
        return blockkit.check_message_blocks(blocks) or slack_file_problems(
            self.state, self.base_url, blocks, "/blocks"
        )

    def _require_message(self, args: dict[str, Any]) -> None:
        error = self._message_problems(args, require_text=True)
        if error == "invalid_blocks":
            problems = self._block_problems(args.get("blocks"))
            raise SlackError(error, errors=[p.as_dict() for p in problems])
        if error:
            raise SlackError(error)
        metadata = args.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _resolve_channel(self, channel: str) -> str:
        state = self.state
        if channel.startswith(("U", "W")):
            user = state.users.get(channel)
            if user is None:
                raise SlackError("channel_not_found")
            if user.deleted:
                raise SlackError("account_inactive")
            if not self.messages_tab_enabled:
                raise SlackError("messages_tab_disabled")
            return state.dm_channel(channel)
        if channel not in state.channels:
            raise SlackError("channel_not_found")
        if state.bot_user_id not in state.channels[channel]:
            raise SlackError("not_in_channel")
        return channel
