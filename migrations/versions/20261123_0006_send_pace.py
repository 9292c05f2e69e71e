"""send pace: a token bucket per workspace and Web API method, shared by all senders;
an index for the admin's weekly delivery report

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_pace",
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_send_pace_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "method", name=op.f("pk_send_pace")),
    )
    op.create_index(
        "ix_delivery_workspace_id_cycle_week", "delivery", ["workspace_id", "cycle_week"]
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_workspace_id_cycle_week", table_name="delivery")
    op.drop_table("send_pace")
