"""Counting the SQL statements a piece of code runs, for the no-N+1 tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def recorded_statements(*engines: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent to the database through `engines` inside the block, in order (a
    process's `Deps.engines`: on SQLite its writers have an engine of their own)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
