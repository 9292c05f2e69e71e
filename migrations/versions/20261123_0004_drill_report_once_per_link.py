"""one drill report per rep, cycle and link

A double-submitted "Mark drill done" modal or a repeated `/drill done` with the same link
must not count twice. Existing duplicates (the earliest row is kept) are removed first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM drill_report WHERE id NOT IN ("
        " SELECT MIN(id) FROM drill_report GROUP BY person_id, cycle_week, url)"
    )
    with op.batch_alter_table("drill_report", schema=None) as batch_op:
        batch_op.drop_index("ix_drill_report_person_cycle")
        batch_op.create_index(
            "uq_drill_report_person_cycle_url", ["person_id", "cycle_week", "url"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("drill_report", schema=None) as batch_op:
        batch_op.drop_index("uq_drill_report_person_cycle_url")
        batch_op.create_index(
            "ix_drill_report_person_cycle", ["person_id", "cycle_week"], unique=False
        )
