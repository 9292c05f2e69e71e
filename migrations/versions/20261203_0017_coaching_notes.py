"""coaching notes: SBI feedback, CAR post-mortems and OSKAR conversations outside the 1:1

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coaching_note",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("author_id", BIG_ID, nullable=True),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("framework", sa.String(length=8), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("scaling", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_coaching_note_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_coaching_note_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_note")),
    )
    op.create_index(
        "ix_coaching_note_person_cycle", "coaching_note", ["person_id", "cycle_week"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_coaching_note_person_cycle", table_name="coaching_note")
    op.drop_table("coaching_note")
