"""the commitment and its follow-up: what could get in the way, in the rep's words, and what
the follow-up checks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("one_on_one") as batch:
        batch.add_column(sa.Column("obstacles", sa.Text(), nullable=True))
        batch.add_column(sa.Column("follow_up_check", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("one_on_one") as batch:
        batch.drop_column("follow_up_check")
        batch.drop_column("obstacles")
