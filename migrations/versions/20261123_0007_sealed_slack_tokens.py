"""sealed slack tokens: the installation and bot token columns become text

Sealed tokens (AES-GCM, base64, with a key id) outgrow slack-sdk's varchar(200).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOT_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token")
TOKEN_COLUMNS = {
    "slack_installations": (*BOT_TOKEN_COLUMNS, "user_token", "user_refresh_token"),
    "slack_bots": BOT_TOKEN_COLUMNS,
}


def _retype(old: sa.types.TypeEngine[str], new: sa.types.TypeEngine[str]) -> None:
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=old, type_=new, existing_nullable=True)


def upgrade() -> None:
    _retype(sa.String(length=200), sa.Text())


def downgrade() -> None:
    # PostgreSQL refuses this while a stored token is longer than 200 characters.
    _retype(sa.Text(), sa.String(length=200))
