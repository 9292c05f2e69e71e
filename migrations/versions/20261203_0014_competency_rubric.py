"""the competency rubric: a workspace's wording of the competencies, every rating kept, the
diagnosis's focus as a competency, and drills that name what they train

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

The old diagnosis kept one level (1–4, one generic scale) for its focus skill, typed as free
text. Upgrading keeps every one of them: a focus that names a built-in competency becomes
that competency; any other focus becomes one of the workspace's own competencies, worded
with the old generic scale, and its level a rating of it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# Integer on SQLite so the primary key is its rowid alias (autoincrement), BIGINT elsewhere.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-ins as this revision knew them (the code's wording may change; keys stay).
BUILT_IN = {
    "discovery": "discovery",
    "objection handling": "objection_handling",
    "multi-threading": "multi_threading",
    "closing": "closing",
}
OLD_SCALE = [
    "Surface: asks the basics only.",
    "Developing: does it when prompted.",
    "Solid: does it unprompted, on most calls.",
    "Expert: ties it to a metric the buyer owns.",
]


def _person_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["person.id"], name=op.f(f"fk_{table}_{column}_person"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "competency",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_competency_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_competency_workspace_id_key")),
    )
    op.create_table(
        "rubric_rating",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("cycle_week", sa.String(length=8), nullable=False),
        sa.Column("competency_key", sa.String(length=32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("author_id", BIG_ID, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        _person_fk("rubric_rating", "author_id", "SET NULL"),
        _person_fk("rubric_rating", "person_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_rating")),
        sa.UniqueConstraint(
            "person_id",
            "cycle_week",
            "competency_key",
            name=op.f("uq_rubric_rating_person_id_cycle_week_competency_key"),
        ),
    )
    with op.batch_alter_table("custom_drill") as batch:
        batch.add_column(sa.Column("competency_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("gaps", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column(
                "kind", sa.String(length=16), server_default=sa.text("'role_play'"), nullable=False
            )
        )
    with op.batch_alter_table("diagnosis") as batch:
        batch.add_column(sa.Column("focus_key", sa.String(length=32), nullable=True))
    _keep_old_levels()
    with op.batch_alter_table("diagnosis") as batch:
        batch.drop_column("rubric_level")


def _keep_old_levels() -> None:
    """Every old focus becomes a competency key, and every old level a rating."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.person_id, d.cycle_week, d.focus_skill, d.rubric_level, "
            "d.author_id, d.created_at, p.workspace_id "
            "FROM diagnosis d JOIN person p ON p.id = d.person_id ORDER BY d.id"
        )
    ).all()
    own: dict[tuple[int, str], str] = {}
    now = datetime.now(UTC)
    for row in rows:
        name = " ".join(str(row.focus_skill).split())[:40] or "Focus"
        key = BUILT_IN.get(name.lower())
        if key is None:
            key = own.get((row.workspace_id, name.lower()))
        if key is None:
            taken = sum(1 for ws, _ in own if ws == row.workspace_id)
            key = f"own:{taken + 1}"
            own[(row.workspace_id, name.lower())] = key
            bind.execute(
                sa.text(
                    "INSERT INTO competency (workspace_id, key, name, levels, position, "
                    "created_at, updated_at) VALUES (:ws, :key, :name, :levels, :pos, :now, :now)"
                ).bindparams(
                    sa.bindparam("levels", type_=sa.JSON()),
                    sa.bindparam("now", type_=MOMENT),
                ),
                {
                    "ws": row.workspace_id,
                    "key": key,
                    "name": name,
                    "levels": OLD_SCALE,
                    "pos": taken + 1,
                    "now": now,
                },
            )
        bind.execute(
            sa.text("UPDATE diagnosis SET focus_key = :key WHERE id = :id"),
            {"key": key, "id": row.id},
        )
        if row.rubric_level is not None:
            bind.execute(
                sa.text(
                    "INSERT INTO rubric_rating (person_id, cycle_week, competency_key, level, "
                    "author_id, created_at, updated_at) "
                    "VALUES (:person, :cycle, :key, :level, :author, :at, :at)"
                ),
                {
                    "person": row.person_id,
                    "cycle": row.cycle_week,
                    "key": key,
                    "level": row.rubric_level,
                    "author": row.author_id,
                    "at": row.created_at,
                },
            )


def downgrade() -> None:
    with op.batch_alter_table("diagnosis") as batch:
        batch.add_column(sa.Column("rubric_level", sa.SmallInteger(), nullable=True))
    # The old schema held one level per diagnosis: its focus's.
    op.execute(
        "UPDATE diagnosis SET rubric_level = (SELECT r.level FROM rubric_rating r "
        "WHERE r.person_id = diagnosis.person_id AND r.cycle_week = diagnosis.cycle_week "
        "AND r.competency_key = diagnosis.focus_key)"
    )
    with op.batch_alter_table("diagnosis") as batch:
        batch.drop_column("focus_key")
    with op.batch_alter_table("custom_drill") as batch:
        batch.drop_column("kind")
        batch.drop_column("gaps")
        batch.drop_column("competency_key")
    op.drop_table("rubric_rating")
    op.drop_table("competency")
