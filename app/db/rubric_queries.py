"""Queries about the competency rubric: a workspace's wording of it, and reps' ratings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select

from app.db.models import Competency, RubricRating
from app.db.sql import Queries, upsert, upsert_many


class RubricQueries(Queries):
    async def competencies(self, workspace_id: int) -> Sequence[Competency]:
        """The workspace's rewordings and its own competencies (the rest are built in)."""
        query = select(Competency).where(Competency.workspace_id == workspace_id)
        return (await self.session.scalars(query.order_by(Competency.position))).all()

    async def save_competency(
        self,
        workspace_id: int,
        key: str,
        name: str,
        levels: Sequence[str],
        position: int,
        now: datetime,
    ) -> None:
        values = {
            "name": name,
            "levels": list(levels),
            "position": position,
            "created_at": now,
            "updated_at": now,
        }
        key_columns = {"workspace_id": workspace_id, "key": key}
        await self.session.execute(upsert(self.session, Competency, key_columns, values))

    async def ratings(
        self, person_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> dict[tuple[int, str], dict[str, int]]:
        """(person, cycle) → competency → level, for the cycles in between (inclusive)."""
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = select(
            RubricRating.person_id,
            RubricRating.cycle_week,
            RubricRating.competency_key,
            RubricRating.level,
        ).where(
            RubricRating.person_id.in_(wanted),
            RubricRating.cycle_week >= first_cycle,
            RubricRating.cycle_week <= last_cycle,
        )
        found: dict[tuple[int, str], dict[str, int]] = {}
        for person_id, cycle, key, level in (await self.session.execute(query)).all():
            found.setdefault((person_id, cycle), {})[key] = level
        return found

    async def latest_ratings(self, person_id: int, before_cycle: str) -> dict[str, int]:
        """Each competency's most recent level for a rep, from weeks before `before_cycle`."""
        query = (
            select(RubricRating.competency_key, RubricRating.level)
            .where(RubricRating.person_id == person_id, RubricRating.cycle_week < before_cycle)
            .order_by(RubricRating.cycle_week)
        )
        return {key: level for key, level in (await self.session.execute(query)).all()}

    async def save_ratings(
        self,
        person_id: int,
        cycle: str,
        levels: Mapping[str, int],
        author_id: int | None,
        now: datetime,
    ) -> None:
        """The week's ratings become `levels`: a competency left unrated is forgotten."""
        await self.session.execute(
            delete(RubricRating).where(
                RubricRating.person_id == person_id,
                RubricRating.cycle_week == cycle,
                RubricRating.competency_key.not_in(list(levels)),
            )
        )
        if not levels:
            return
        rows = [
            {
                "person_id": person_id,
                "cycle_week": cycle,
                "competency_key": key,
                "level": level,
                "author_id": author_id,
                "created_at": now,
                "updated_at": now,
            }
            for key, level in levels.items()
        ]
        await self.session.execute(
            upsert_many(
                self.session, RubricRating, ("person_id", "cycle_week", "competency_key"), rows
            )
        )
