"""call recorder: the connection to Gong, who each person is there, and their calls' links
and numbers (never media or transcripts)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recorder_connection",
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=True),
        sa.Column("access_key", sa.Text(), nullable=True),
        sa.Column("access_key_secret", sa.Text(), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("problem_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("users_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("users_matched", sa.Integer(), nullable=True),
        sa.Column("users_cursor", sa.Text(), nullable=True),
        sa.Column("users_listing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_owner", sa.String(length=64), nullable=True),
        sa.Column("sync_lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_recorder_connection_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_recorder_connection")),
    )
    op.create_table(
        "recorded_call",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("provider_call_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("talk_ratio", sa.Float(), nullable=True),
        sa.Column("longest_monologue_s", sa.Float(), nullable=True),
        sa.Column("interactivity", sa.Float(), nullable=True),
        sa.Column("patience_s", sa.Float(), nullable=True),
        sa.Column("question_rate", sa.Float(), nullable=True),
        sa.Column("buyers", sa.SmallInteger(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_recorded_call_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_recorded_call_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recorded_call")),
        sa.UniqueConstraint(
            "workspace_id",
            "provider_call_id",
            name=op.f("uq_recorded_call_workspace_id_provider_call_id"),
        ),
    )
    op.create_index(
        "ix_recorded_call_person_id_started_at", "recorded_call", ["person_id", "started_at"]
    )

    op.create_table(
        "recorder_person",
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("recorder_user_id", sa.String(length=32), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calls_read_through", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_recorder_person_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_recorder_person_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_recorder_person")),
    )
    op.create_index(op.f("ix_recorder_person_workspace_id"), "recorder_person", ["workspace_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recorder_person_workspace_id"), table_name="recorder_person")

    op.drop_table("recorder_person")
    op.drop_index("ix_recorded_call_person_id_started_at", table_name="recorded_call")

    op.drop_table("recorded_call")
    op.drop_table("recorder_connection")
