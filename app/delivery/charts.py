"""Trend charts for a digest: each drawn once per person, week and kind, uploaded to Slack
privately and kept (`chart_image`), so the App Home and any later send reuse the same file.

Drawing is CPU work: it runs in a small thread pool, never on the event loop, so acks and
the rest of the tick go on meanwhile. A chart is an extra: one that cannot be drawn or
uploaded within its budget is logged (ids only) and left out, and the digest goes out whole
with its trends in words."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from app.db.models import ChartImage as ChartRow
from app.db.models import Person
from app.db.store import Store
from app.deps import Deps
from app.rules.trends import Chart, ChartImage, ChartKind
from app.services import trend_data
from app.slack.client import Clients
from app.slack.files import UploadFailed, upload_file

log = logging.getLogger(__name__)


def draw_png(chart: Chart) -> bytes:
    """The chart as PNG. matplotlib is imported on the first drawing, in a drawing thread:
    a process that sends no digest (a `coach tick` on a Monday) never loads it (about a
    second of start-up and a third of the start RSS)."""
    from app.charts.draw import draw_png as draw  # lazily: see above

    return draw(chart)


CHART_BUDGET_S = 20.0  # drawing and uploading one person's charts, at most
KIND_ORDER = {kind: index for index, kind in enumerate(ChartKind)}


class ChartMaker:
    """One per process (the outbox's); `close()` at shutdown."""

    def __init__(
        self,
        deps: Deps,
        client_for: Clients,
        budget_s: float = CHART_BUDGET_S,
        draw: Callable[[Chart], bytes] = draw_png,
    ):
        self.deps = deps
        self.draw = draw  # a benchmark times it
        self.client_for = client_for
        self.budget_s = budget_s
        self.enabled = deps.settings.coach_charts == "on"
        self._pool = ThreadPoolExecutor(
            max_workers=deps.settings.coach_chart_threads, thread_name_prefix="coach-chart"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def for_digest(self, person: Person, cycle: str) -> tuple[ChartImage, ...]:
        """`person`'s charts of the 8 weeks ending with `cycle`: those kept, and the missing
        ones drawn and uploaded now (within the budget; what fails is left out)."""
        if not self.enabled:
            return ()
        try:
            async with asyncio.timeout(self.budget_s):
                return await self._charts(person, cycle)
        except TimeoutError:
            log.warning("charts cut after %ss person=%s cycle=%s", self.budget_s, person.id, cycle)
        except Exception:  # a chart must never cost anyone their digest
            log.exception("charts failed person=%s cycle=%s", person.id, cycle)
        return await self._kept(person, cycle)

    async def _kept(self, person: Person, cycle: str) -> tuple[ChartImage, ...]:
        async with self.deps.reads() as session:
            rows = await Store(session).charts_of(person.id, cycle)
        return tuple(
            sorted((trend_data.image_of(r) for r in rows), key=lambda c: KIND_ORDER[c.kind])
        )

    async def _charts(self, person: Person, cycle: str) -> tuple[ChartImage, ...]:
        have = {c.kind for c in await self._kept(person, cycle)}
        async with self.deps.reads() as session:
            wanted = await trend_data.charts_for(Store(session), person, cycle)
        for chart in wanted:
            if chart.kind not in have:
                await self._make(person, cycle, chart)
        return await self._kept(person, cycle)  # another sender's, if it kept one first

    async def _make(self, person: Person, cycle: str, chart: Chart) -> None:
        loop = asyncio.get_running_loop()
        png = await loop.run_in_executor(self._pool, self.draw, chart)
        client = await self.client_for(person.workspace_id)
        try:
            uploaded = await upload_file(
                client, filename=f"coach-{chart.kind}-{cycle}.png", content=png, title=chart.title
            )
        except UploadFailed as exc:
            log.warning(
                "chart upload failed person=%s kind=%s reason=%s", person.id, chart.kind, exc.reason
            )
            return
        row = ChartRow(
            person_id=person.id,
            cycle_week=cycle,
            kind=chart.kind.value,
            file_id=uploaded.file_id,
            title=chart.title,
            alt_text=chart.alt_text(),
            created_at=self.deps.clock(),
        )
        async with self.deps.db.begin() as session:
            await Store(session).keep_chart(row)
        log.info("chart kept person=%s kind=%s bytes=%s", person.id, chart.kind, len(png))
