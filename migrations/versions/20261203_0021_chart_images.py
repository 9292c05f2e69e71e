"""trend charts uploaded to Slack, one per person, week and kind, reused by the digest and
the App Home

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chart_image",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_chart_image_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_image")),
    )
    op.create_index(
        "uq_chart_image_person_cycle_kind",
        "chart_image",
        ["person_id", "cycle_week", "kind"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_chart_image_person_cycle_kind", table_name="chart_image")
    op.drop_table("chart_image")
