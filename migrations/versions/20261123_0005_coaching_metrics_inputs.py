"""coaching metrics inputs: pause history, 1:1 helpfulness, deal progress, rubric level

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_progress",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("deal_index", sa.SmallInteger(), nullable=False),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_deal_progress_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_progress")),
        sa.UniqueConstraint(
            "person_id",
            "cycle_week",
            "deal_index",
            name=op.f("uq_deal_progress_person_id_cycle_week_deal_index"),
        ),
    )
    op.create_table(
        "helpfulness",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_helpfulness_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpfulness")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_helpfulness_person_id_cycle_week")
        ),
    )
    op.create_table(
        "pause",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("set_by", BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pause_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["person.id"], name=op.f("fk_pause_set_by_person"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pause")),
    )
    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.create_index("ix_pause_person", ["person_id"], unique=False)

    with op.batch_alter_table("diagnosis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rubric_level", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("diagnosis", schema=None) as batch_op:
        batch_op.drop_column("rubric_level")

    with op.batch_alter_table("pause", schema=None) as batch_op:
        batch_op.drop_index("ix_pause_person")

    op.drop_table("pause")
    op.drop_table("helpfulness")
    op.drop_table("deal_progress")
