"""slack-sdk's OAuth installation and state tables, declared on our metadata so alembic owns them.

The SDK's async stores (app/slack/sealed_store.py) query tables built by these same builders.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Text

from app.db.base import Base

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

installations = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)

# Token columns, named as the SDK's model attributes. They hold sealed tokens
# (app/token_cipher.py), which outgrow the SDK's String(200): here they are text.
BOT_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token")
INSTALLATION_TOKEN_COLUMNS = (*BOT_TOKEN_COLUMNS, "user_token", "user_refresh_token")
TOKEN_COLUMNS = {installations: INSTALLATION_TOKEN_COLUMNS, bots: BOT_TOKEN_COLUMNS}
for _table, _names in TOKEN_COLUMNS.items():
    for _name in _names:
        _table.c[_name].type = Text()
