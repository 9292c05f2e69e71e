"""`SlackSandbox`: the parts assembled into one local Slack, with its settings and lifecycle.

The aiohttp app routes /api/{method} to the dispatcher, /response/{token} to response_urls,
/upload/v1/{token} to file uploads
and /link to the Socket Mode WebSocket.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from app.clock import Clock, system_clock
from app.sandbox import loopback
from app.sandbox.server.api_dispatch import ApiDispatch
from app.sandbox.server.auth_methods import AuthMethods
from app.sandbox.server.call_log import CallLog
from app.sandbox.server.chat_methods import ChatMethods
from app.sandbox.server.file_methods import FileMethods
from app.sandbox.server.method_catalog import DEFAULT_BOT_SCOPES, _catalog
from app.sandbox.server.slack_errors import Handler
from app.sandbox.server.socket_mode_link import SocketModeLink
from app.sandbox.server.user_methods import UserMethods
from app.sandbox.server.view_methods import ViewMethods
from app.sandbox.server.workspace_setup import WorkspaceSetup
from app.sandbox.state import SandboxState


class SlackSandbox(
    ApiDispatch,
    AuthMethods,
    ChatMethods,
    FileMethods,
    ViewMethods,
    UserMethods,
    SocketModeLink,
    WorkspaceSetup,
    CallLog,
):
    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        team_name: str = "Coach Sandbox",
        bot_token: str = "xoxb-sandbox-token",
        bot_scopes: frozenset[str] = DEFAULT_BOT_SCOPES,
        clock: Clock = system_clock,
        messages_tab_enabled: bool = True,
        home_tab_enabled: bool = True,
        client_id: str = "1111.2222",
        client_secret: str = "sandbox-client-secret",
        app_token: str = "xapp-sandbox-token",
    ) -> None:
        self.state = SandboxState(team_id, team_name, bot_user_id="U0COACHBOT", bot_id="B0COACH")
        self.bot_token = bot_token
        self.teams = {bot_token: team_id}
        self.caller_team = team_id
        self.app_token = app_token
        self._sockets = []
        self._tickets = set()
        self.socket_acks = {}
        self.client_id = client_id
        self.client_secret = client_secret
        self._oauth_codes: dict[str, tuple[str, datetime, str]] = {}
        self.bot_scopes = bot_scopes
        self.revoked_tokens = set()
        self.clock = clock
        self.messages_tab_enabled = messages_tab_enabled
        self.home_tab_enabled = home_tab_enabled
        self.catalog = _catalog()
        self._init_faults()
        self.upload_failures = []
        self.hold_processing = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._handlers = self._method_table()

    def _method_table(self) -> dict[str, Handler]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "oauth.v2.access": self._oauth_access,
            "team.info": self._team_info,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._lookup_by_email,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=2_000_000)
        app.router.add_route("*", "/api/{method}", self._serve_api)
        app.router.add_post("/response/{token}", self._serve_response_url)
        app.router.add_post("/upload/v1/{token}", self._serve_upload)
        app.router.add_get("/link", self._serve_socket)
        self._runner, self.base_url = await loopback.serve(app, host, port)
        return self.api_url

    async def stop(self) -> None:
        await self._close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"
