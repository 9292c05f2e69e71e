"""OAuth mode: many workspaces install coach through /slack/install."""

from __future__ import annotations

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from app.db.slack_tables import OAUTH_STATES_TABLE
from app.delivery import profile_reads
from app.deps import Deps
from app.slack import workspace_access
from app.slack.client import make_web_client
from app.slack.ids import BOT_SCOPES
from app.slack.sealed_store import installation_store

STATE_TTL_SECONDS = 600


def on_install(deps: Deps) -> AsyncCallbackOptions:
    """Bolt's own install pages. An install makes the workspace known (resumed, if it was
    disabled for its token) and, in a workspace with no coach admin yet, its installer the
    first one, their Slack profile read at once."""

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        install = args.installation
        if await workspace_access.installed(deps, install.team_id, install.user_id):
            client = make_web_client(deps.settings, install.bot_token)
            await profile_reads.read_now(deps, client, install.team_id or "", [install.user_id])
        return await args.default.success(args)

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    return AsyncCallbackOptions(success=installed, failure=failed)


def oauth_settings(deps: Deps) -> AsyncOAuthSettings:
    settings = deps.settings
    assert settings.slack_client_id and settings.slack_client_secret and settings.slack_state_secret
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=sorted(BOT_SCOPES),
        installation_store=installation_store(deps),
        state_store=AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_TTL_SECONDS,
            engine=deps.engine,
            table_name=OAUTH_STATES_TABLE,
        ),
        callback_options=on_install(deps),
        token_rotation_expiration_minutes=120,
    )
