"""auth.test and the OAuth install: the code slack.com hands out, oauth.v2.access trades it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.server.sandbox_base import SandboxBase
from app.sandbox.server.slack_errors import SlackError

OAUTH_CODE_TTL = timedelta(minutes=10)  # Slack: a temporary code expires after ten minutes


class AuthMethods(SandboxBase):
    _oauth_codes: dict[str, tuple[str, datetime, str]]  # code -> (installer, issued, team)

    def approve_install(self, installer: str = "U0INSTALLER", team_id: str | None = None) -> str:
        """What slack.com/oauth/v2/authorize does when `installer` clicks Allow in a workspace
        (the first one, or one `add_team` made): a one-time code for the app's redirect URL."""
        team = team_id or self.state.team_id
        code = f"{team}.{secrets.token_hex(8)}"
        self._oauth_codes[code] = (installer, self.clock(), team)
        return code

    async def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        s, team = self.state, self.caller_team
        name = s.team_name if team == s.team_id else team
        return {
            "url": f"https://{name.lower().replace(' ', '-')}.slack.com/",
            "team": name,
            "user": "coach",
            "team_id": team,
            "user_id": s.bot_user_id,
            "bot_id": s.bot_id,
            "is_enterprise_install": False,
        }

    async def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        grant = args.get("grant_type") or "authorization_code"
        if grant == "refresh_token":  # token rotation is off: no refresh token was issued
            raise SlackError("invalid_refresh_token")
        if grant != "authorization_code":
            raise SlackError("invalid_grant_type")
        issued = self._oauth_codes.pop(str(args.get("code") or ""), None)  # single use
        if issued is None or self.clock() - issued[1] > OAUTH_CODE_TTL:
            raise SlackError("invalid_code")
        s, team = self.state, issued[2]
        return {
            "access_token": self.token_of(team),
            "token_type": "bot",
            "scope": ",".join(sorted(self.bot_scopes)),
            "bot_user_id": s.bot_user_id,
            "app_id": "A0COACH",
            "team": {"id": team, "name": s.team_name if team == s.team_id else team},
            "enterprise": None,
            "authed_user": {"id": issued[0]},
            "is_enterprise_install": False,
        }
