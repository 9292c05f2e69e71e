"""Slack's side of Socket Mode: apps.connections.open, the WebSocket, envelopes and acks."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from app.sandbox.server.sandbox_base import SandboxBase

SOCKET_ACK_S = 3.0  # Slack redelivers an envelope not acked by then


class SocketModeLink(SandboxBase):
    _sockets: list[web.WebSocketResponse]
    _tickets: set[str]
    socket_acks: dict[str, dict[str, Any]]  # envelope id -> the app's ack

    async def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = secrets.token_hex(12)
        self._tickets.add(ticket)
        ws_url = self.base_url.replace("http://", "ws://", 1)
        return {"url": f"{ws_url}/link?ticket={ticket}"}

    async def _serve_socket(self, request: web.Request) -> web.StreamResponse:
        """A hello on connect, then envelopes the app acks."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        self._tickets.discard(ticket)  # a ticket opens one connection
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "connection_info": {"app_id": "A0COACH"},
                "debug_info": {"host": "sandbox"},
            }
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self._socket_ack(frame.data)
        finally:
            self._sockets.remove(ws)
        return ws

    def _socket_ack(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            return
        if isinstance(ack, dict) and isinstance(ack.get("envelope_id"), str):
            self.socket_acks[ack["envelope_id"]] = ack

    @property
    def socket_connected(self) -> bool:
        return bool(self._sockets)

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver one envelope (events_api, interactive, slash_commands) over the app's
        socket and return its ack; TimeoutError when none comes within Slack's 3 s."""
        if not self._sockets:
            raise LookupError("no Socket Mode connection")
        envelope_id = secrets.token_hex(8)
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        deadline = asyncio.get_running_loop().time() + SOCKET_ACK_S
        while envelope_id not in self.socket_acks:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"envelope {envelope_id} not acked within {SOCKET_ACK_S}s")
            await asyncio.sleep(0.01)
        return self.socket_acks[envelope_id]

    async def _close_sockets(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
