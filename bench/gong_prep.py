"""The Tuesday prep for N reps with Gong on: what it costs Gong, and how long it takes.

Against the local Gong stand-in (3 requests a second, 100 records a page, as Gong), N reps
in four time zones, each with `--calls` calls a week:

(a) first sight: the sync reads every rep's last five weeks (the week the prep shows and the
    four before it, each rep's own baseline), tick after tick within each tick's budget;
(b) Tuesday's prep composed for every manager: Gong requests made while composing (none:
    the prep reads what the sync stored), and wall time;
(c) the week after: one more week of calls read, the steady cost of a week.

Gong requests are counted in the stand-in (all of them, 429s too) and against the issue's
budget: at most one per rep per week, plus paging.

    .venv/bin/python bench/gong_prep.py [--reps 1000] [--calls 6] [--database-url URL]
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from datetime import UTC, datetime, timedelta

from common import (
    arguments,
    bench_settings,
    database_label,
    database_url,
    fresh_database,
    machine,
    parse,
    table,
    verdict,
    work_directory,
)

from app.clock import FrozenClock
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.types import Role
from app.sandbox.gong import GongSandbox
from app.services.roster import apply_roster, parse_roster_csv
from app.services.weekly_messages import team_prep
from app.slack.client import OutboxClients

ZONES = ("Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata")
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE = "2026-W48"
TUESDAY = MONDAY + timedelta(days=1, hours=12)  # every zone's Tuesday
PAGE = 100
REPS_PER_MANAGER = 10


def roster(reps: int) -> str:
    managers = max(1, reps // REPS_PER_MANAGER)
    rows = ["slack_user_id,role,manager_slack_user_id,email,timezone"]
    rows += [f"U0M{m:05d},manager,,m{m}@acme.example,{ZONES[m % 4]}" for m in range(managers)]
    rows += [
        f"U0R{n:05d},rep,U0M{n % managers:05d},r{n}@acme.example,{ZONES[n % 4]}"
        for n in range(reps)
    ]
    return "\n".join(rows) + "\n"


def seed(gong: GongSandbox, users: list[str], calls: int, weeks: range, rng: random.Random) -> None:
    for user in users:
        for back in weeks:
            gong.seed_week(user, MONDAY - timedelta(weeks=back), calls, rng)


async def sync_all(outbox: Outbox, now: datetime) -> tuple[float, int]:
    """Ticks' recorder sync until nothing is left to read: seconds, ticks."""
    started, ticks = time.perf_counter(), 0
    while True:
        ticks += 1
        report = await outbox.read_recorders(now)
        if report.requests == 0:
            return time.perf_counter() - started, ticks - 1


def counted(gong: GongSandbox, since: int) -> tuple[int, int, int]:
    made = gong.requests[since:]
    users = sum(1 for r in made if r.path == "/v2/users")
    return len(made) - users, users, sum(1 for r in made if r.status == 429)


async def main() -> None:
    parser = arguments(__doc__ or "", reps=1000, calls=6)
    args = parse(parser)
    print(machine())
    rng = random.Random(16)
    gong = GongSandbox(page_size=PAGE)
    await gong.start()
    users = [gong.add_user(f"r{n}@acme.example", f"Rep{n}") for n in range(args.reps)]
    seed(gong, users, args.calls, range(1, 6), rng)
    rows: list[list[object]] = []
    with work_directory(args.keep) as workdir:
        url = database_url(args.database_url, workdir, "gong")
        await fresh_database(url)
        settings = bench_settings(
            url,
            "http://127.0.0.1:9/api/",
            gong_api_url=gong.base_url,
            gong_access_key=gong.access_key,
            gong_access_key_secret=gong.access_key_secret,
        )
        clock = FrozenClock(TUESDAY)
        deps = Deps.build(settings, clock)
        try:
            async with deps.db.begin() as session:
                store = Store(session)
                workspace = await store.ensure_workspace("T0SANDBOX", clock())
                await apply_roster(store, workspace, parse_roster_csv(roster(args.reps)), clock())
            print(
                f"database: {database_label(url)}; {args.reps} reps in {len(ZONES)} zones, "
                f"{args.calls} calls a week each ({len(gong.calls):,} calls in Gong)"
            )
            outbox = Outbox(deps, OutboxClients(deps), owner="bench")
            took, ticks = await sync_all(outbox, TUESDAY)
            calls_made, users_made, limited = counted(gong, 0)
            rows.append(
                [
                    "(a) first sight, 5 weeks",
                    f"{took:.1f} s",
                    ticks,
                    users_made,
                    calls_made,
                    limited,
                ]
            )

            before = len(gong.requests)
            started = time.perf_counter()
            async with deps.reads() as session:
                store = Store(session)
                managers = [p for p in await store.people(workspace.id) if p.role is Role.MANAGER]
                preps = [await team_prep(store, m, CYCLE, "UTC") for m in managers]
            prep_s = time.perf_counter() - started
            with_calls = sum(1 for p in preps for r in p.rows if r.evidence and r.evidence.recent)
            rows.append(
                [
                    "(b) Tuesday prep, every manager",
                    f"{prep_s:.2f} s",
                    "-",
                    0,
                    len(gong.requests) - before,
                    0,
                ]
            )

            seed(gong, users, args.calls, range(0, 1), rng)  # the week after
            before = len(gong.requests)
            took_week, ticks_week = await sync_all(outbox, TUESDAY + timedelta(weeks=1))
            week_calls, week_users, week_limited = counted(gong, before)
            rows.append(
                [
                    "(c) the week after",
                    f"{took_week:.1f} s",
                    ticks_week,
                    week_users,
                    week_calls,
                    week_limited,
                ]
            )
        finally:
            await deps.close()
            await gong.stop()
    print(table(rows, ["case", "wall time", "ticks", "/v2/users", "/v2/calls/extensive", "429s"]))
    pages_week = math.ceil(args.calls * min(args.reps, 100) / PAGE) * math.ceil(args.reps / 100)
    budget = args.reps + pages_week
    print(f"reps with three recent calls in their prep: {with_calls} of {args.reps}")
    week_total = week_calls + week_users
    print(
        f"Gong requests for a week: {week_total} ({week_total / args.reps:.3f} per rep); "
        f"budget one per rep plus paging = {budget}: {verdict(week_total <= budget)}"
    )
    print(f"prep composed with Gong asked nothing: {verdict(rows[1][4] == 0)}")
    print(
        f"most Gong requests in any one second: {gong.max_in_any_second()} (limit 3): "
        f"{verdict(gong.max_in_any_second() <= 3)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
