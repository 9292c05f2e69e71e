"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:14:20.157575
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_receipt",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_receipt")),
    )
    op.create_index(
        op.f("ix_event_receipt_received_at"), "event_receipt", ["received_at"], unique=False
    )

    op.create_table(
        "workspace",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspace_team_id")),
    )
    op.create_table(
        "person",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "rep", "manager", "director", "admin", name="role", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("manager_id", BIG_ID, nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("profile_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_person_manager_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_person_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_person_workspace_id_slack_user_id")
        ),
    )
    op.create_index(op.f("ix_person_manager_id"), "person", ["manager_id"], unique=False)
    op.create_index(op.f("ix_person_workspace_id"), "person", ["workspace_id"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rep_prompt",
                "manager_review",
                "rep_reminder",
                "manager_prep",
                "one_on_one",
                "notes_nudge",
                "drill_check",
                "manager_heads_up",
                "digest",
                name="step",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "skipped",
                "cancelled",
                name="deliverystatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("fence", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_delivery_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_delivery_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint(
            "person_id", "kind", "cycle_week", name=op.f("uq_delivery_person_id_kind_cycle_week")
        ),
    )
    op.create_index("ix_delivery_status_due_at", "delivery", ["status", "due_at"], unique=False)

    op.create_table(
        "schedule_step",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("manager_id", BIG_ID, nullable=True),
        sa.Column(
            "step",
            sa.Enum(
                "rep_prompt",
                "manager_review",
                "rep_reminder",
                "manager_prep",
                "one_on_one",
                "notes_nudge",
                "drill_check",
                "manager_heads_up",
                "digest",
                name="step",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_schedule_step_manager_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_schedule_step_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_step")),
    )
    op.create_index(
        "uq_schedule_step_team",
        "schedule_step",
        ["workspace_id", "manager_id", "step"],
        unique=True,
        sqlite_where=sa.text("manager_id IS NOT NULL"),
        postgresql_where=sa.text("manager_id IS NOT NULL"),
    )
    op.create_index(
        "uq_schedule_step_workspace_default",
        "schedule_step",
        ["workspace_id", "step"],
        unique=True,
        sqlite_where=sa.text("manager_id IS NULL"),
        postgresql_where=sa.text("manager_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_schedule_step_workspace_default", table_name="schedule_step")
    op.drop_index("uq_schedule_step_team", table_name="schedule_step")

    op.drop_table("schedule_step")
    op.drop_index("ix_delivery_status_due_at", table_name="delivery")

    op.drop_table("delivery")
    op.drop_index(op.f("ix_person_workspace_id"), table_name="person")
    op.drop_index(op.f("ix_person_manager_id"), table_name="person")

    op.drop_table("person")
    op.drop_table("workspace")
    op.drop_index(op.f("ix_event_receipt_received_at"), table_name="event_receipt")

    op.drop_table("event_receipt")
