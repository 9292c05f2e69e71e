"""Seal every stored Slack token with the current key (after adding a key, or to seal tokens
stored before sealing existed). One transaction: a token no configured key opens changes
nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.slack_tables import TOKEN_COLUMNS
from app.token_cipher import TokenCipher


@dataclass(frozen=True)
class Resealed:
    changed: int  # tokens now sealed with the current key that were not before
    current: int  # tokens that already were


async def reseal_tokens(engine: AsyncEngine, cipher: TokenCipher) -> Resealed:
    changed = current = 0
    async with engine.begin() as connection:
        for table, names in TOKEN_COLUMNS.items():
            columns = [table.c[name] for name in names]
            rows = (await connection.execute(select(table.c.id, *columns))).all()
            for row in rows:
                new_values: dict[str, str] = {}
                for name in names:
                    stored = getattr(row, name)
                    if not stored:
                        continue
                    if cipher.is_current(stored):
                        current += 1
                    else:
                        new_values[name] = cipher.seal(cipher.open(stored, name), name)
                if new_values:
                    await connection.execute(
                        update(table).where(table.c.id == row.id).values(**new_values)
                    )
                    changed += len(new_values)
    return Resealed(changed, current)
