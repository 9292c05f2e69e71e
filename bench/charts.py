"""Trend charts for a whole organisation: every person's digest charts drawn and uploaded
once, as Friday's digests would, then asked for again (reused: nothing drawn).

The roster (about `--people`, 1,000 by default) has `--history-weeks` of history per rep. The
Slack sandbox runs in its own process (so the uploaded PNGs sit in its memory, not coach's)
and checks every upload. Reported: drawing time per chart (median, p95) and per person (all
their charts, drawn and uploaded), charts a second, the process's RSS before, at peak and
after, and how late the event loop answered a 10 ms timer while charts were drawn (drawing
is in a thread: the loop must keep answering).

    .venv/bin/python bench/charts.py [--people 1000] [--threads 1] [--database-url URL]
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

from common import (
    Org,
    arguments,
    bench_settings,
    database_label,
    database_url,
    local_instant,
    machine,
    median,
    memory_mb,
    parse,
    percentile,
    seeded_database,
    start_sandbox,
    table,
    this_monday,
    verdict,
    work_directory,
)
from sqlalchemy import select

from app.charts.draw import draw_png
from app.clock import FrozenClock
from app.db.models import Person
from app.delivery.charts import ChartMaker
from app.deps import Deps
from app.rules import calendar
from app.rules.trends import Chart
from app.slack.client import OutboxClients

MAX_RSS_GROWTH_MB = 150.0
MAX_LOOP_LAG_MS = 100.0  # p99 of a 10 ms timer's lateness while charts are drawn


class LoopLag:
    """How late a 10 ms timer fires, sampled for as long as it runs."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            self.late_ms.append((time.perf_counter() - started - 0.01) * 1000)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def main() -> None:
    parser = arguments(__doc__ or "", people=1000, threads=1)
    args = parse(parser)
    print(machine())
    org = Org.sized(args.people, tz=args.tz)
    monday = this_monday(org.tz)
    draw_s: list[float] = []

    def timed_draw(chart: Chart) -> bytes:
        started = time.perf_counter()
        png = draw_png(chart)
        draw_s.append(time.perf_counter() - started)
        return png

    with work_directory(args.keep) as workdir:
        url = database_url(args.database_url, workdir, "charts")
        seeded_s = await seeded_database(url, org, monday, args.history_weeks)
        child, sandbox = await start_sandbox(workdir, org.everyone, org.tz)
        clock = FrozenClock(local_instant(monday + timedelta(days=4), 17, org.tz))
        settings = bench_settings(url, sandbox.api_url, coach_chart_threads=args.threads)
        deps = Deps.build(settings, clock)
        cycle = calendar.cycle_week(monday)
        maker = ChartMaker(deps, OutboxClients(deps), budget_s=120, draw=timed_draw)
        rss_before = memory_mb(os.getpid())["VmRSS"]
        per_person: list[float] = []
        try:
            async with deps.reads() as session:
                people = list((await session.scalars(select(Person).order_by(Person.id))).all())
            print(f"database: {database_label(url)}; {org.describe()}; seeded in {seeded_s:.0f} s")
            with LoopLag() as lag:
                started = time.perf_counter()
                made = 0
                for person in people:
                    one = time.perf_counter()
                    made += len(await maker.for_digest(person, cycle))
                    per_person.append(time.perf_counter() - one)
                first_pass_s = time.perf_counter() - started
            rss_peak = memory_mb(os.getpid())["VmHWM"]
            drawn = len(draw_s)
            started = time.perf_counter()
            again = 0
            for person in people:
                again += len(await maker.for_digest(person, cycle))
            second_pass_s = time.perf_counter() - started
            redrawn = len(draw_s) - drawn
            rss_after = memory_mb(os.getpid())["VmRSS"]
            stats = await sandbox.stats()
        finally:
            maker.close()
            await deps.close()
            await child.stop()
    ms = [s * 1000 for s in draw_s]
    person_ms = [s * 1000 for s in per_person]
    late_p99, late_max = percentile(lag.late_ms, 99), max(lag.late_ms)
    growth = rss_peak - rss_before
    print(
        table(
            [
                ["charts drawn and uploaded", f"{drawn:,}", f"{made:,} shown"],
                [
                    "drawing, per chart",
                    f"median {median(ms):.0f} ms",
                    f"p95 {percentile(ms, 95):.0f} ms",
                ],
                [
                    "per person (draw + upload)",
                    f"median {median(person_ms):.0f} ms",
                    f"p95 {percentile(person_ms, 95):.0f} ms",
                ],
                ["first pass", f"{first_pass_s:.1f} s", f"{drawn / first_pass_s:.1f} charts/s"],
                [
                    "second pass (reused)",
                    f"{second_pass_s:.1f} s",
                    f"{redrawn} drawn, {again:,} shown",
                ],
                [
                    "event loop lateness (10 ms timer)",
                    f"p99 {late_p99:.1f} ms",
                    f"max {late_max:.1f} ms",
                ],
                [
                    "RSS",
                    f"{rss_before:.0f} MB before, {rss_peak:.0f} MB peak",
                    f"{rss_after:.0f} MB after",
                ],
            ],
            ["", "figure", ""],
        )
    )
    print(f"sandbox calls: {dict(stats['by_method'])}; refused: {dict(stats['refused'])}")
    print(
        f"RSS growth {growth:.0f} MB ≤ {MAX_RSS_GROWTH_MB:.0f}: "
        f"{verdict(growth <= MAX_RSS_GROWTH_MB)}; "
        f"loop p99 {late_p99:.1f} ms ≤ {MAX_LOOP_LAG_MS:.0f}: "
        f"{verdict(late_p99 <= MAX_LOOP_LAG_MS)}; "
        f"reused without drawing: {verdict(redrawn == 0 and again == made)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
