"""Models and migrations agree, and the history runs both ways on this run's database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

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
