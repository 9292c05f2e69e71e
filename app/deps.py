"""What every listener and job needs, built once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db.engine import make_engine, make_read_sessionmaker, make_sessionmaker, make_writer


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]  # read-write: `async with deps.db.begin()`
    clock: Clock
    reads: async_sessionmaker[AsyncSession]  # read-only: answers that change nothing
    writer: AsyncEngine  # what `db` uses: `engine` itself, but on SQLite (make_writer)

    @classmethod
    def build(cls, settings: Settings, clock: Clock) -> Deps:
        engine = make_engine(settings.database_url)
        writer = make_writer(engine)
        return cls(
            settings=settings,
            engine=engine,
            db=make_sessionmaker(writer),
            clock=clock,
            reads=make_read_sessionmaker(engine),
            writer=writer,
        )

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """The engines this process's sessions use: one, or on SQLite two (the writers' too).
        What watches the statements sent (tests, benchmarks) listens to each."""
        return (self.engine,) if self.writer is self.engine else (self.engine, self.writer)

    async def close(self) -> None:
        await self.engine.dispose()
        if self.writer is not self.engine:
            await self.writer.dispose()
