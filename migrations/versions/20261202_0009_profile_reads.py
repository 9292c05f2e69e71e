"""profile reads: when coach last asked Slack for a person's profile, and why it failed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("profile_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("profile_error", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_person_profile_checked_at"), ["profile_checked_at"])
    # Profiles read before this revision were read: keep planning for those people.
    op.execute(
        "UPDATE person SET profile_checked_at = profile_synced_at "
        "WHERE profile_synced_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_index(batch.f("ix_person_profile_checked_at"))
        batch.drop_column("profile_error")
        batch.drop_column("profile_checked_at")
