"""setup stamp: one row whose number moves whenever what the planner reads changes, so an idle
tick reads one number instead of the roster's shape (app/db/setup_stamp.py)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamp = op.create_table(
        "setup_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_stamp")),
    )
    op.bulk_insert(stamp, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("setup_stamp")
