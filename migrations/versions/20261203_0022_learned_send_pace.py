"""send pace learned per workspace and method: the rate Slack accepted, the ceiling its last
429 showed, when it last went up and down (app/rules/pacing.py)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("send_pace") as batch:  # nothing refers to send_pace
        batch.add_column(sa.Column("per_minute", sa.Float(), nullable=True))
        batch.add_column(sa.Column("ceiling", sa.Float(), nullable=True))
        batch.add_column(sa.Column("raised_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cut_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("send_pace") as batch:
        batch.drop_column("cut_at")
        batch.drop_column("raised_at")
        batch.drop_column("ceiling")
        batch.drop_column("per_minute")
