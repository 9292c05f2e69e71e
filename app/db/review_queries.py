"""Queries about coaching the coaches: directors' reviews of their managers' 1:1s."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from app.db.models import CoachingReview, OneOnOne
from app.db.sql import Queries, insert_ignoring_conflicts, rowcount


class ReviewQueries(Queries):
    async def save_coaching_review(
        self,
        one_on_one: OneOnOne,
        manager_id: int,
        reviewer_id: int,
        ticked: list[str],
        note: str | None,
        now: datetime,
    ) -> tuple[CoachingReview, bool]:
        """The review of this 1:1, saved (a second save edits it), and whether this save
        created it: exactly one of any number of racing first saves does."""
        values = {
            "person_id": one_on_one.person_id,
            "cycle_week": one_on_one.cycle_week,
            "manager_id": manager_id,
            "reviewer_id": reviewer_id,
            "ticked": ticked,
            "note": note,
            "created_at": now,
            "updated_at": now,
        }
        key = {"one_on_one_id": one_on_one.id}
        created = await self.session.execute(
            insert_ignoring_conflicts(self.session, CoachingReview, {**key, **values})
        )
        return await self._save(CoachingReview, key, values), bool(rowcount(created))

    async def coaching_review_by_id(self, review_id: int) -> CoachingReview | None:
        return await self.session.get(CoachingReview, review_id)

    async def coaching_reviews_of(self, one_on_one_ids: Iterable[int]) -> dict[int, CoachingReview]:
        """The reviews of these 1:1s, by 1:1 id."""
        wanted = list(set(one_on_one_ids))
        if not wanted:
            return {}
        query = select(CoachingReview).where(CoachingReview.one_on_one_id.in_(wanted))
        return {row.one_on_one_id: row for row in (await self.session.scalars(query)).all()}

    async def reviews_of_managers(
        self, manager_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> Sequence[CoachingReview]:
        """Every review of these managers' 1:1s from `first_cycle` to `last_cycle`."""
        wanted = list(set(manager_ids))
        if not wanted:
            return []
        query = (
            select(CoachingReview)
            .where(
                CoachingReview.manager_id.in_(wanted),
                CoachingReview.cycle_week >= first_cycle,
                CoachingReview.cycle_week <= last_cycle,
            )
            .order_by(CoachingReview.id)
        )
        return (await self.session.scalars(query)).all()

    async def held_one_on_ones_by(
        self, author_ids: Iterable[int], first_cycle: str, last_cycle: str
    ) -> Sequence[OneOnOne]:
        """The held 1:1s these people logged from `first_cycle` to `last_cycle`, newest week
        first."""
        wanted = list(set(author_ids))
        if not wanted:
            return []
        query = (
            select(OneOnOne)
            .where(
                OneOnOne.author_id.in_(wanted),
                OneOnOne.held.is_(True),
                OneOnOne.cycle_week >= first_cycle,
                OneOnOne.cycle_week <= last_cycle,
            )
            .order_by(OneOnOne.cycle_week.desc(), OneOnOne.id)
        )
        return (await self.session.scalars(query)).all()
