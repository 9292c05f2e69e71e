"""Runs the real bot (bolt + Starlette + uvicorn) in this process on an ephemeral loopback port."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import uvicorn

from app.config import SlackMode, slack_credentials
from app.delivery.tick import Outbox
from app.deps import Deps
from app.server import uvicorn_server
from app.slack.bolt_app import build_bolt_app
from app.slack.client import OutboxClients
from app.slack.listeners.home_opened import home_refresher
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.home_publisher import HomeRefresher
from app.web import build_web_app


@dataclass
class RunningBot:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]
    homes: HomeRefresher
    after: AfterAck
    outbox: Outbox  # the listeners' sends

    async def settle(self, timeout_s: float = 10.0) -> None:
        """Wait for what listeners still do after their ack (modals, DMs, App Home refreshes),
        so a test or the demo moves its clock only once the bot has finished reacting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        if not await self.after.settled(timeout_s):
            raise TimeoutError(f"{self.after.running} listeners still at work after their ack")
        await self.homes.settled(max(deadline - loop.time(), 0.1))

    async def stop(self) -> None:
        await self.settle()
        self.server.should_exit = True
        await self.task
        await self.homes.close()
        await self.outbox.client_for.close()


async def start_bot(deps: Deps, after: AfterAck | None = None) -> RunningBot:
    """The bot over HTTP as deps.settings configure it: one token, or OAuth installations;
    `after` runs its work after acks (by default as `coach serve` does)."""
    credentials = slack_credentials(deps.settings)
    assert credentials.mode in (SlackMode.HTTP, SlackMode.OAUTH), "Socket Mode has no port"
    # The quiet after a burst's last answer (100 ms in `coach serve`) keeps work after acks
    # from delaying acks still to come; tests and the demo send one request at a time.
    after = after or AfterAck(quiet_s=0.02)
    homes = home_refresher(deps, after, delay_s=0)  # tests and the demo move on once it settles
    outbox = Outbox(deps, OutboxClients(deps))  # the listeners' sends now (the drill card)
    bot = build_bolt_app(deps, credentials, homes, after, outbox)
    web_app = build_web_app(
        bot.app,
        deps.engine,
        signing_secret=credentials.http_signing_secret,
        clock=deps.clock,
        after=after,
        gate_answers=bot.gate_answers,
    )
    # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on each connection it accepts (it skips
    # a socket whose protocol is 0): otherwise every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn_server(web_app, port=port, host="127.0.0.1")
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
        await asyncio.sleep(0.01)
    return RunningBot(f"http://127.0.0.1:{port}", server, task, homes, after, outbox)
