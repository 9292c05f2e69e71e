"""The CRM for N reps: what the sync and the drill write-backs cost HubSpot, and how long
they take at its limits.

Against the local HubSpot stand-in at HubSpot's own limits (100 requests per 10 seconds,
search 5 a second; coach paces itself to 4 a second, shared by replicas), N reps each
owning `--deals` open deals, every rep's Wednesday 1:1 held on two of them:

(a) first sight: owners matched by email, stages, the field check, every rep's open deals
    and the coached deals' stage history, tick after tick within each tick's budget;
(b) an hour later: the hourly re-read (open deals, coached deals' history);
(c) the drill written back: every rep's CRM_DRILL_SET row due at once, written together
    (each record once; up to 100 deals a request);
(d) a day of it: requests a day at the hourly cadence, against HubSpot's daily limit.

Requests are counted in the stand-in (429s too).

    .venv/bin/python bench/crm_sync.py [--reps 1000] [--deals 5] [--database-url URL]
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
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
from app.db.ledger import Ledger
from app.db.models import OneOnOne, Submission
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.drills import STARTING_LIBRARY
from app.rules.types import Role, Step
from app.sandbox.hubspot import HubSpotSandbox
from app.services.crm_writes import plan_crm_write
from app.services.roster import apply_roster, parse_roster_csv
from app.slack.client import OutboxClients

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CYCLE = "2026-W48"
WEDNESDAY = MONDAY + timedelta(days=2, hours=18)  # after every 1:1
REPS_PER_MANAGER = 10
DAILY_LIMIT = 250_000  # HubSpot Professional: requests a day for the account
STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent")


def roster(reps: int) -> str:
    managers = max(1, reps // REPS_PER_MANAGER)
    rows = ["slack_user_id,role,manager_slack_user_id,email,timezone"]
    rows += [f"U0M{m:05d},manager,,m{m}@acme.example,UTC" for m in range(managers)]
    rows += [f"U0R{n:05d},rep,U0M{n % managers:05d},r{n}@acme.example,UTC" for n in range(reps)]
    return "\n".join(rows) + "\n"


def seed_hubspot(box: HubSpotSandbox, reps: int, deals: int) -> dict[int, list[str]]:
    """Each rep's open deals, most recently changed first: rep number → deal ids."""
    owned: dict[int, list[str]] = {}
    for n in range(reps):
        owner = box.add_owner(f"r{n}@acme.example", f"Rep{n}", "Acme")
        owned[n] = [
            box.add_deal(
                owner,
                f"Deal {n}-{d}",
                STAGES[d % len(STAGES)],
                10_000 + 1_000 * d,
                modified_at=MONDAY - timedelta(hours=d + 1),
            )
            for d in range(deals)
        ]
    return owned


async def seed_week(deps: Deps, owned: dict[int, list[str]], now: datetime) -> None:
    """Each rep's Monday deals (two picked from the CRM) and a held 1:1 with a drill."""
    drill = STARTING_LIBRARY[0].as_json()
    stamps = {"created_at": now, "updated_at": now}
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = (await store.workspaces())[0]
        reps = [p for p in await store.people(workspace.id) if p.role is Role.REP]
        for rep in reps:
            ids = owned[int(rep.slack_user_id.removeprefix("U0R"))][:2]
            deals = [
                {"name": f"Deal {i}", "crm_id": i, "clip_url": f"https://gong.io/c?id={i}"}
                for i in ids
            ]
            key = {"person_id": rep.id, "cycle_week": CYCLE}
            session.add(Submission(**key, deals=deals, source="modal", **stamps))
            session.add(
                OneOnOne(
                    **key,
                    held=True,
                    options=["Reframe", "Ask", "Champion"],
                    commitment="Reframe the next price objection",
                    drill=drill,
                    practice_reps=3,
                    **stamps,
                )
            )


async def plan_write_backs(deps: Deps, now: datetime) -> int:
    """The write-back each rep's saved notes plan; how many."""
    planned = 0
    async with deps.db.begin() as session:
        store, ledger = Store(session), Ledger(session)
        workspace = (await store.workspaces())[0]
        for rep in await store.people(workspace.id):
            if rep.role is Role.REP:
                planned += await plan_crm_write(store, ledger, rep, Step.CRM_DRILL_SET, CYCLE, now)
    return planned


async def ticks_until_quiet(
    outbox: Outbox, box: HubSpotSandbox, now: datetime
) -> tuple[float, int, int]:
    """Ticks' CRM part until a tick asks HubSpot nothing: seconds, ticks, requests."""
    started, ticks, before = time.perf_counter(), 0, len(box.requests)
    while True:
        asked = len(box.requests)
        await outbox.crm.run(now)
        if len(box.requests) == asked:
            return time.perf_counter() - started, ticks, len(box.requests) - before
        ticks += 1


def most_in_window(box: HubSpotSandbox, seconds: float) -> int:
    """The most requests HubSpot received in any `seconds` (its rolling window)."""
    arrivals = sorted(r.monotonic for r in box.requests)
    most, first = 0, 0
    for last, at in enumerate(arrivals):
        while at - arrivals[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def kinds(box: HubSpotSandbox, since: int) -> str:
    made = Counter(r.path.rstrip("/").rsplit("/", 1)[-1] for r in box.requests[since:])
    return ", ".join(f"{path} {count}" for path, count in made.most_common())


async def main() -> None:
    parser = arguments(__doc__ or "", reps=1000, deals=5)
    args = parse(parser)
    print(machine())
    box = HubSpotSandbox()  # HubSpot's own limits: 100 per 10 s, search 5 a second
    await box.start()
    owned = seed_hubspot(box, args.reps, args.deals)
    rows: list[list[object]] = []
    with work_directory(args.keep) as workdir:
        url = database_url(args.database_url, workdir, "crm")
        await fresh_database(url)
        settings = bench_settings(
            url, "http://127.0.0.1:9/api/", hubspot_token=box.token, hubspot_api_url=box.base_url
        )
        clock = FrozenClock(WEDNESDAY)
        deps = Deps.build(settings, clock)
        try:
            async with deps.db.begin() as session:
                store = Store(session)
                workspace = await store.ensure_workspace("T0SANDBOX", clock())
                await apply_roster(store, workspace, parse_roster_csv(roster(args.reps)), clock())
            await seed_week(deps, owned, WEDNESDAY)
            print(
                f"database: {database_label(url)}; {args.reps} reps, {args.deals} open deals "
                f"each ({len(box.deals):,} deals in HubSpot), two coached per rep"
            )
            outbox = Outbox(deps, OutboxClients(deps), owner="bench")

            since = len(box.requests)
            took, ticks, made = await ticks_until_quiet(outbox, box, WEDNESDAY)
            rows.append(["(a) first sight", f"{took:.1f} s", ticks, made, kinds(box, since)])

            hour = WEDNESDAY + timedelta(hours=1, minutes=1)
            clock.set(hour)
            since = len(box.requests)
            took, ticks, hourly = await ticks_until_quiet(outbox, box, hour)
            rows.append(["(b) an hour later", f"{took:.1f} s", ticks, hourly, kinds(box, since)])

            planned = await plan_write_backs(deps, hour)
            since = len(box.requests)
            took, ticks, made = await ticks_until_quiet(outbox, box, hour)
            rows.append(
                [f"(c) {planned} write-backs", f"{took:.1f} s", ticks, made, kinds(box, since)]
            )
            drill = STARTING_LIBRARY[0].name
            each_once = all(
                box.writes_to(deal, "coaching_drill_this_week") == [drill]
                for ids in owned.values()
                for deal in ids[:2]
            )
            untouched = all(
                not box.writes_to(deal, "coaching_drill_this_week")
                for ids in owned.values()
                for deal in ids[2:]
            )
        finally:
            await deps.close()
            await box.stop()
    limited = sum(1 for r in box.requests if r.status == 429)
    print(table(rows, ["phase", "wall", "ticks", "requests", "by endpoint"]))
    per_day = hourly * 24
    print(
        f"\n(d) a day at the hourly cadence: {per_day:,} requests "
        f"({100 * per_day / DAILY_LIMIT:.2f}% of HubSpot's {DAILY_LIMIT:,} a day)"
    )
    print(f"429s from HubSpot: {limited}; most requests in any 10 s: {most_in_window(box, 10)}")
    print(
        f"each coached record written once: {verdict(each_once)}; "
        f"no other record written: {verdict(untouched)}; "
        f"within HubSpot's limits (no 429): {verdict(limited == 0)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
