"""the CRM: the connection to Salesforce or HubSpot, who each person is there, deal stages,
deals and the stage history of coached deals

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspace.id"],
        name=op.f(f"fk_{table}_workspace_id_workspace"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "crm_connection",
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=True),
        sa.Column("client_id", sa.String(length=255), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("problem_at", MOMENT, nullable=True),
        sa.Column("fields_ok", sa.Boolean(), nullable=True),
        sa.Column("owners_read_at", MOMENT, nullable=True),
        sa.Column("owners_matched", sa.Integer(), nullable=True),
        sa.Column("deals_read_at", MOMENT, nullable=True),
        sa.Column("api_used", sa.Integer(), nullable=True),
        sa.Column("api_allocation", sa.Integer(), nullable=True),
        sa.Column("next_sync_at", MOMENT, nullable=True),
        sa.Column("sync_owner", sa.String(length=64), nullable=True),
        sa.Column("sync_lease_until", MOMENT, nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
        _workspace_fk("crm_connection"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_crm_connection")),
    )
    op.create_table(
        "crm_person",
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("crm_user_id", sa.String(length=32), nullable=True),
        sa.Column("matched_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_crm_person_person_id_person"),
            ondelete="CASCADE",
        ),
        _workspace_fk("crm_person"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_crm_person")),
    )
    op.create_index(op.f("ix_crm_person_workspace_id"), "crm_person", ["workspace_id"])
    op.create_table(
        "crm_stage",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("pipeline", sa.String(length=120), nullable=False),
        sa.Column("stage_id", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        _workspace_fk("crm_stage"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_stage")),
        sa.UniqueConstraint(
            "workspace_id",
            "pipeline",
            "stage_id",
            name=op.f("uq_crm_stage_workspace_id_pipeline_stage_id"),
        ),
    )
    op.create_table(
        "crm_deal",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("crm_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("pipeline", sa.String(length=120), nullable=False),
        sa.Column("stage_id", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("modified_at", MOMENT, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("fetched_at", MOMENT, nullable=False),
        sa.Column("history_read_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_crm_deal_person_id_person"),
            ondelete="SET NULL",
        ),
        _workspace_fk("crm_deal"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_deal")),
        sa.UniqueConstraint("workspace_id", "crm_id", name=op.f("uq_crm_deal_workspace_id_crm_id")),
    )
    op.create_index("ix_crm_deal_person_id_open", "crm_deal", ["person_id", "open"])
    op.create_table(
        "crm_stage_change",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("crm_id", sa.String(length=32), nullable=False),
        sa.Column("stage_id", sa.String(length=120), nullable=False),
        sa.Column("changed_at", MOMENT, nullable=False),
        _workspace_fk("crm_stage_change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_stage_change")),
        sa.UniqueConstraint(
            "workspace_id",
            "crm_id",
            "changed_at",
            "stage_id",
            name=op.f("uq_crm_stage_change_workspace_id_crm_id_changed_at_stage_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("crm_stage_change")
    op.drop_index("ix_crm_deal_person_id_open", table_name="crm_deal")
    op.drop_table("crm_deal")
    op.drop_table("crm_stage")
    op.drop_index(op.f("ix_crm_person_workspace_id"), table_name="crm_person")
    op.drop_table("crm_person")
    op.drop_table("crm_connection")
