"""Who may call: the bot token and its scopes, the app-level token, the app's client secret,
and the arguments each method requires."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

from aiohttp import web

from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.server.slack_errors import SlackError

# Methods an app calls with its client id and secret instead of a token.
CLIENT_AUTH_METHODS = frozenset({"oauth.v2.access"})
# Methods that take the app-level token (xapp-, with connections:write), not a bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


class CredentialChecks(SandboxBase):
    app_token: str  # app-level: Socket Mode's apps.connections.open
    client_id: str
    client_secret: str
    revoked_tokens: set[str]

    def _token(self, request: web.Request, args: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip()
        token = args.pop("token", None)
        return str(token) if token else None

    def _check_caller(
        self, method: str, request: web.Request, args: dict[str, Any], token: str | None
    ) -> None:
        """The credentials `method` takes (`token`: the one the call carried), then its
        required arguments."""
        if method in CLIENT_AUTH_METHODS:
            self._check_client(request, args)
        elif method in APP_TOKEN_METHODS:
            self._check_app_token(token)
        else:
            self._check_access(method, token)
        self._check_required(method, args)

    def _check_access(self, method: str, token: str | None) -> None:
        if token is None:
            raise SlackError("not_authed")
        if token in self.revoked_tokens:
            raise SlackError("token_revoked")
        if token not in self.teams:
            raise SlackError("invalid_auth")
        needed = self.catalog[method]["bot_scopes"]
        if needed and not self.bot_scopes.intersection(needed):
            raise SlackError(
                "missing_scope", needed=",".join(needed), provided=",".join(sorted(self.bot_scopes))
            )

    def _check_app_token(self, token: str | None) -> None:
        if token is None:
            raise SlackError("not_authed")
        if not token.startswith("xapp-") or token != self.app_token:
            raise SlackError("invalid_auth")

    def _check_client(self, request: web.Request, args: dict[str, Any]) -> None:
        """The app's credentials: HTTP Basic (what slack-sdk sends) or client_id/secret args."""
        client_id, client_secret = args.get("client_id"), args.pop("client_secret", None)
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise SlackError("invalid_client_id") from exc
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if not client_secret or not hmac.compare_digest(str(client_secret), self.client_secret):
            raise SlackError("bad_client_secret")

    def _check_required(self, method: str, args: dict[str, Any]) -> None:
        for name in self.catalog[method]["required_args"]:
            if args.get(name) in (None, ""):
                raise SlackError(
                    "invalid_arguments",
                    response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
                )
