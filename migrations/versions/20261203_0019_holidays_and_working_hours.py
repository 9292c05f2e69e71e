"""holidays and working hours: a workspace's (or a team's) holiday calendar, and each
person's working hours

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTERs, not a batch: SQLite would rebuild `person`, and its foreign keys would
    # take every row that refers to a person with it.
    op.add_column("person", sa.Column("work_starts", sa.Time(), nullable=True))
    op.add_column("person", sa.Column("work_ends", sa.Time(), nullable=True))
    op.create_table(
        "work_calendar",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("manager_id", BIG_ID, nullable=True),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("subdiv", sa.String(length=10), nullable=True),
        sa.Column("days_off", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_work_calendar_manager_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_work_calendar_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_calendar")),
    )
    op.create_index(
        "uq_work_calendar_team",
        "work_calendar",
        ["workspace_id", "manager_id"],
        unique=True,
        sqlite_where=sa.text("manager_id IS NOT NULL"),
        postgresql_where=sa.text("manager_id IS NOT NULL"),
    )
    op.create_index(
        "uq_work_calendar_workspace_default",
        "work_calendar",
        ["workspace_id"],
        unique=True,
        sqlite_where=sa.text("manager_id IS NULL"),
        postgresql_where=sa.text("manager_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_work_calendar_workspace_default", table_name="work_calendar")
    op.drop_index("uq_work_calendar_team", table_name="work_calendar")
    op.drop_table("work_calendar")
    op.execute("ALTER TABLE person DROP COLUMN work_ends")  # SQLite 3.35 and later too
    op.execute("ALTER TABLE person DROP COLUMN work_starts")
