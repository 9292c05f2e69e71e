"""exports and erasure: when a person's data was erased, and the audit log of every export
and erasure (ids only)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER on both databases: a batch copy of `person` on SQLite would cascade the
    # drop of the old table to every row that references a person.
    op.add_column("person", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("actor_id", BIG_ID, nullable=True),
        sa.Column("subject_id", BIG_ID, nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_audit_log_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
            name=op.f("fk_audit_log_actor_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_audit_log_subject_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_subject_id", "audit_log", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.execute("ALTER TABLE person DROP COLUMN erased_at")  # SQLite 3.35+ drops it in place
