"""Models and migrations agree, and the history runs both ways on this run's database."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, TextClause, bindparam, inspect
from sqlalchemy import text as sql_text

from app.db import migrate
from app.db.base import Base
from app.deps import Deps


def _diff(connection: object) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: object) -> set[str]:
    return set(inspect(connection).get_table_names())  # type: ignore[arg-type]


async def test_upgrade_downgrade_upgrade_and_no_drift(deps: Deps) -> None:
    engine = deps.engine
    assert (await migrate.schema_state(engine)).up_to_date
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []

    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) <= {"alembic_version"}
    assert (await migrate.schema_state(engine)).current is None

    await migrate.upgrade(engine)
    state = await migrate.schema_state(engine)
    assert state.up_to_date and state.current == migrate.head_revision()
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        assert {t.name for t in Base.metadata.sorted_tables} <= await connection.run_sync(_tables)


async def test_every_revision_steps_down_and_up(deps: Deps) -> None:
    engine = deps.engine
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in script.walk_revisions()]  # newest first
    for revision in revisions:
        await migrate.downgrade(engine, "-1")
        assert (await migrate.schema_state(engine)).current == script.get_revision(
            revision
        ).down_revision
    for _ in revisions:
        await migrate.upgrade(engine, "+1")
    assert (await migrate.schema_state(engine)).up_to_date


async def test_the_rubric_revision_keeps_every_old_level(deps: Deps) -> None:
    """Before the rubric, a diagnosis held one level (one generic scale) for a focus typed as
    free text. Upgrading turns each level into a rating: of the built-in competency the focus
    names, or of one of the workspace's own, made from the focus's words. Downgrading puts
    the focus's level back."""
    engine = deps.engine
    await migrate.downgrade(engine, "0013")
    at = datetime(2026, 11, 10, 12, tzinfo=UTC)

    def text(sql: str) -> TextClause:
        return sql_text(sql).bindparams(bindparam("at", type_=DateTime(timezone=True)))

    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO workspace (id, team_id, active, created_at) "
                "VALUES (1, 'T0MIGR', true, :at)"
            ),
            {"at": at},
        )
        for person, role in ((1, "manager"), (2, "rep"), (3, "rep")):
            await connection.execute(
                text(
                    "INSERT INTO person (id, workspace_id, slack_user_id, role, active, "
                    "created_at, updated_at) VALUES (:id, 1, :slack, :role, true, :at, :at)"
                ),
                {"id": person, "slack": f"U0MIG{person}", "role": role, "at": at},
            )
        for n, (rep, cycle, focus, level) in enumerate(
            (
                (2, "2026-W45", "discovery ", 2),
                (2, "2026-W46", "Demo storytelling", 3),
                (3, "2026-W46", "demo storytelling", None),
            ),
            start=1,
        ):
            await connection.execute(
                text(
                    "INSERT INTO diagnosis (id, person_id, cycle_week, author_id, answers, gap, "
                    "focus_skill, rubric_level, created_at, updated_at) VALUES (:id, :rep, "
                    ":cycle, 1, '{}', 'skill', :focus, :level, :at, :at)"
                ),
                {"id": n, "rep": rep, "cycle": cycle, "focus": focus, "level": level, "at": at},
            )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        keys = (await connection.execute(sql_text("SELECT id, focus_key FROM diagnosis"))).all()
        own = (await connection.execute(sql_text("SELECT key, name FROM competency"))).all()
        rated = (
            await connection.execute(
                sql_text("SELECT person_id, cycle_week, competency_key, level FROM rubric_rating")
            )
        ).all()
    assert sorted(keys) == [(1, "discovery"), (2, "own:1"), (3, "own:1")]
    assert [tuple(row) for row in own] == [("own:1", "Demo storytelling")]
    assert sorted(rated) == [(2, "2026-W45", "discovery", 2), (2, "2026-W46", "own:1", 3)]

    await migrate.downgrade(engine, "0013")
    async with engine.connect() as connection:
        query = sql_text("SELECT id, rubric_level FROM diagnosis")
        levels = (await connection.execute(query)).all()
    assert sorted(levels) == [(1, 2), (2, 3), (3, None)]
    await migrate.upgrade(engine)
