"""manager actions: a system gap is the manager's to fix, open until they resolve it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "manager_action",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("owner_id", BIG_ID, nullable=True),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", BIG_ID, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_manager_action_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_manager_action_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["person.id"],
            name=op.f("fk_manager_action_resolved_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_manager_action_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_action")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_manager_action_person_id_cycle_week")
        ),
    )
    op.create_index(
        op.f("ix_manager_action_resolved_at"), "manager_action", ["resolved_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_manager_action_resolved_at"), table_name="manager_action")
    op.drop_table("manager_action")
