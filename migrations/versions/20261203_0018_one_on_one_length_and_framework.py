"""the 1:1's length in minutes, for coaching time, and the framework it was run in (GROW,
OSKAR with its scaling number, CAR)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("one_on_one") as batch:
        batch.add_column(sa.Column("minutes", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("framework", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("scaling", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("one_on_one") as batch:
        batch.drop_column("scaling")
        batch.drop_column("framework")
        batch.drop_column("minutes")
