"""What every listener and job needs, built once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db.engine import make_engine, make_read_sessionmaker, make_sessionmaker


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]  # read-write: `async with deps.db.begin()`
    clock: Clock
    reads: async_sessionmaker[AsyncSession]  # read-only: answers that change nothing

    @classmethod
    def build(cls, settings: Settings, clock: Clock) -> Deps:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            db=make_sessionmaker(engine),
            clock=clock,
            reads=make_read_sessionmaker(engine),
        )

    async def close(self) -> None:
        await self.engine.dispose()
