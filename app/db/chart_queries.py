"""Queries about trend charts already uploaded to Slack (one per person, week and kind)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.db.models import ChartImage
from app.db.sql import Queries, insert_ignoring_conflicts


class ChartQueries(Queries):
    async def charts_of(self, person_id: int, cycle: str) -> Sequence[ChartImage]:
        """This person's charts that end with `cycle`."""
        query = select(ChartImage).where(
            ChartImage.person_id == person_id, ChartImage.cycle_week == cycle
        )
        return (await self.session.scalars(query.order_by(ChartImage.kind))).all()

    async def latest_charts(self, person_id: int, up_to: str) -> Sequence[ChartImage]:
        """This person's most recent charts, of the latest week up to `up_to` that has any."""
        latest = (
            select(ChartImage.cycle_week)
            .where(ChartImage.person_id == person_id, ChartImage.cycle_week <= up_to)
            .order_by(ChartImage.cycle_week.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(ChartImage).where(
            ChartImage.person_id == person_id, ChartImage.cycle_week == latest
        )
        return (await self.session.scalars(query.order_by(ChartImage.kind))).all()

    async def keep_chart(self, chart: ChartImage) -> None:
        """Keep an uploaded chart; when another sender kept one for the same person, week and
        kind first, theirs stays (both files show the same numbers)."""
        values = {
            column.key: getattr(chart, column.key)
            for column in ChartImage.__table__.columns
            if column.key != "id"
        }
        await self.session.execute(insert_ignoring_conflicts(self.session, ChartImage, values))
