"""weekly loop records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_drill",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=75), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("what_to_say", sa.Text(), nullable=True),
        sa.Column("success", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_custom_drill_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_drill")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_custom_drill_workspace_id_name")),
    )
    op.create_table(
        "diagnosis",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("author_id", BIG_ID, nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column(
            "gap",
            sa.Enum(
                "skill",
                "knowledge",
                "clarity",
                "system",
                "will",
                name="gap",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("focus_skill", sa.String(length=120), nullable=False),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("evidence_moment", sa.String(length=16), nullable=True),
        sa.Column("evidence_quote", sa.Text(), nullable=True),
        sa.Column("did", sa.Text(), nullable=True),
        sa.Column("good_looks_like", sa.Text(), nullable=True),
        sa.Column("manager_action", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_diagnosis_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_diagnosis_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnosis")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_diagnosis_person_id_cycle_week")
        ),
    )
    op.create_table(
        "drill_report",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_drill_report_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_report")),
    )
    with op.batch_alter_table("drill_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_drill_report_person_cycle", ["person_id", "cycle_week"], unique=False
        )

    op.create_table(
        "one_on_one",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("author_id", BIG_ID, nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=True),
        sa.Column("reality", sa.Text(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=True),
        sa.Column("drill", sa.JSON(), nullable=True),
        sa.Column("practice_reps", sa.SmallInteger(), nullable=True),
        sa.Column("accountability", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("measurement", sa.Text(), nullable=True),
        sa.Column("private_notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_one_on_one_person_id_cycle_week")
        ),
    )
    op.create_table(
        "submission",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("deals", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_submission_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_submission_person_id_cycle_week")
        ),
    )
    op.create_table(
        "transfer_score",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("author_id", BIG_ID, nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_transfer_score_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_transfer_score_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_score")),
        sa.UniqueConstraint(
            "person_id", "cycle_week", name=op.f("uq_transfer_score_person_id_cycle_week")
        ),
    )


def downgrade() -> None:
    op.drop_table("transfer_score")
    op.drop_table("submission")
    op.drop_table("one_on_one")
    with op.batch_alter_table("drill_report", schema=None) as batch_op:
        batch_op.drop_index("ix_drill_report_person_cycle")

    op.drop_table("drill_report")
    op.drop_table("diagnosis")
    op.drop_table("custom_drill")
