"""Messages: chat.*, conversations.open/history, reactions.add and posts to response_urls."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from aiohttp import web

from app.sandbox.server.message_checks import MessageChecks
from app.sandbox.server.slack_errors import SlackError
from app.sandbox.state import Message

RESPONSE_URL_TTL = timedelta(minutes=30)
RESPONSE_URL_USES = 5
UPDATE_TEXT_LIMIT = 4_000


class ChatMethods(MessageChecks):
    async def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        channel = self._resolve_channel(str(args["channel"]))
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m.ts == thread_ts for m in self.state.messages.get(channel, [])):
            raise SlackError("thread_not_found")
        message = Message(
            channel,
            self.state.new_ts(self.clock()),
            args.get("text"),
            args.get("blocks"),
            thread_ts=thread_ts,
            metadata=args.get("metadata"),
            user=self.state.bot_user_id,
        )
        self.state.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message.ts, "message": message.as_slack()}

    async def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        if args.get("text") and len(str(args["text"])) > UPDATE_TEXT_LIMIT:
            raise SlackError("msg_too_long")
        channel = str(args["channel"])
        if channel.startswith(("U", "W")):
            channel = self.state.dm_channel(channel)
        for message in self.state.messages.get(channel, []):
            if message.ts == args["ts"]:
                message.text = args.get("text")
                message.blocks = args.get("blocks")
                if args.get("metadata") is not None:
                    message.metadata = args["metadata"]
                message.edits += 1
                return {"channel": channel, "ts": message.ts, "text": message.text or ""}
        raise SlackError("message_not_found")

    async def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_message(args)
        user = str(args["user"])
        channel = self._resolve_channel(str(args["channel"]))
        if user not in self.state.channels.get(channel, set()):
            raise SlackError("user_not_in_channel")
        self.state.ephemerals.append({**args, "channel": channel})
        return {"message_ts": self.state.new_ts(self.clock())}

    async def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user in users:
            if user not in self.state.users:
                raise SlackError("user_not_found")
        if len(users) > 1:
            raise SlackError("not_supported", detail="the sandbox opens one-to-one DMs only")
        return {"channel": {"id": self.state.dm_channel(users[0])}}

    async def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel not in self.state.channels:
            raise SlackError("channel_not_found")
        limit = int(args.get("limit") or 100)
        oldest = float(args.get("oldest") or 0)
        messages = [m for m in self.state.messages.get(channel, []) if float(m.ts) >= oldest]
        newest_first = sorted(messages, key=lambda m: float(m.ts), reverse=True)[:limit]
        shown = [m.as_slack() for m in newest_first]
        if str(args.get("include_all_metadata")).lower() not in ("true", "1"):
            for message in shown:  # as Slack: metadata only when asked for
                message.pop("metadata", None)
        return {"messages": shown, "has_more": False}

    async def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = str(args["channel"]), str(args["timestamp"]), str(args["name"])
        if not any(m.ts == ts for m in self.state.messages.get(channel, [])):
            raise SlackError("message_not_found")
        names = self.state.reactions.setdefault((channel, ts), set())
        if name in names:
            raise SlackError("already_reacted")
        names.add(name)
        return {}

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        entry = self.state.response_urls.get(token)
        now = self.clock()
        if entry is None:
            return web.json_response({"ok": False, "error": "invalid_url"}, status=404)
        if now - entry.issued_at > RESPONSE_URL_TTL:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        if entry.uses >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        payload = json.loads(await request.read() or b"{}")
        problems = self._message_problems(payload, require_text=True)
        if problems:
            return web.json_response({"ok": False, "error": problems}, status=400)
        entry.uses += 1
        self.state.responses.append(
            {"user": entry.user, "channel": entry.channel, "response_url": token, **payload}
        )
        return web.json_response({"ok": True})
