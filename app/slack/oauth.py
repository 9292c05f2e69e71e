"""OAuth mode: many workspaces install coach through /slack/install."""

from __future__ import annotations

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from app.db.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE
from app.deps import Deps
from app.slack.ids import BOT_SCOPES

STATE_TTL_SECONDS = 600


def installation_store(deps: Deps) -> AsyncSQLAlchemyInstallationStore:
    assert deps.settings.slack_client_id
    return AsyncSQLAlchemyInstallationStore(
        client_id=deps.settings.slack_client_id,
        engine=deps.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


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
        token_rotation_expiration_minutes=120,
    )
