"""coaching the coaches: a director's review of a manager's 1:1, and the ledger's subject

A manager may get several reviews in one week (one per 1:1 reviewed), each by DM exactly
once, so the ledger's unique key gains the record a message is about (0 for everything that
goes once per person, kind and week: every row so far).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ["person_id", "kind", "cycle_week"]
NEW_KEY = [*OLD_KEY, "subject_id"]


def _person_fk(column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["person.id"],
        name=op.f(f"fk_coaching_review_{column}_person"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(
            sa.Column("subject_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch.drop_constraint(op.f("uq_delivery_person_id_kind_cycle_week"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_delivery_person_id_kind_cycle_week_subject_id"), NEW_KEY
        )
    op.create_table(
        "coaching_review",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("one_on_one_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("manager_id", BIG_ID, nullable=True),
        sa.Column("reviewer_id", BIG_ID, nullable=True),
        sa.Column("ticked", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["one_on_one_id"],
            ["one_on_one.id"],
            name=op.f("fk_coaching_review_one_on_one_id_one_on_one"),
            ondelete="CASCADE",
        ),
        _person_fk("person_id", "CASCADE"),
        _person_fk("manager_id", "SET NULL"),
        _person_fk("reviewer_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_review")),
        sa.UniqueConstraint("one_on_one_id", name=op.f("uq_coaching_review_one_on_one_id")),
    )
    op.create_index(
        "ix_coaching_review_manager_cycle", "coaching_review", ["manager_id", "cycle_week"]
    )


def downgrade() -> None:
    op.drop_index("ix_coaching_review_manager_cycle", table_name="coaching_review")
    op.drop_table("coaching_review")
    # Review DMs are the only rows with a subject; without their table they mean nothing.
    op.execute("DELETE FROM delivery WHERE subject_id <> 0")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(
            op.f("uq_delivery_person_id_kind_cycle_week_subject_id"), type_="unique"
        )
        batch.create_unique_constraint(op.f("uq_delivery_person_id_kind_cycle_week"), OLD_KEY)
        batch.drop_column("subject_id")
