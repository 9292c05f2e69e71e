"""Statements that differ by dialect, and the base every query class shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Insert

Row = TypeVar("Row")  # the mapped class a query returns


def rowcount(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched (its result is a CursorResult)."""
    return max(cast(CursorResult[Any], result).rowcount or 0, 0)


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite": the database this session talks to."""
    return session.get_bind().dialect.name


def _insert(session: AsyncSession, model: type) -> Any:
    dialect = dialect_name(session)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignoring_conflicts(session: AsyncSession, model: type, values: Any) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    statement: Insert = _insert(session, model).values(values).on_conflict_do_nothing()
    return statement


def upsert(session: AsyncSession, model: type, key: dict[str, Any], values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE: one statement, so double submissions race safely.

    `values` may hold "created_at"; it is kept from the first insert.
    """
    statement = _insert(session, model).values({**key, **values})
    changes = {name: statement.excluded[name] for name in values if name != "created_at"}
    return statement.on_conflict_do_update(index_elements=list(key), set_=changes)


def upsert_many(
    session: AsyncSession, model: type, key: Sequence[str], rows: Sequence[dict[str, Any]]
) -> Any:
    """One INSERT … ON CONFLICT (key) DO UPDATE for many rows: each row's other columns
    replace what is stored."""
    statement = _insert(session, model).values(list(rows))
    changes = {name: statement.excluded[name] for name in rows[0] if name not in key}
    return statement.on_conflict_do_update(index_elements=list(key), set_=changes)


class Queries:
    """A session to query through. The caller owns the transaction: nothing here commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, instance: object) -> None:
        self.session.add(instance)

    async def flush(self) -> None:
        await self.session.flush()

    async def delete(self, instance: object) -> None:
        await self.session.delete(instance)

    async def _save(self, model: type[Row], key: dict[str, Any], values: dict[str, Any]) -> Row:
        await self.session.execute(upsert(self.session, model, key, values))
        query = select(model).filter_by(**key).execution_options(populate_existing=True)
        saved = await self.session.scalar(query)
        if saved is None:  # the upsert just wrote it, in this transaction
            raise LookupError(f"{model.__name__} vanished after its upsert")
        return saved

    async def _by_people(self, model: Any, person_ids: Iterable[int], cycle: str) -> dict[int, Any]:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = select(model).where(model.person_id.in_(wanted), model.cycle_week == cycle)
        return {row.person_id: row for row in (await self.session.scalars(query)).all()}
