"""Profile reads: reading N people's Slack profiles at import, and a tick with N unread.

(a) `coach roster import` of N people (its code, in process) against the Slack sandbox with
    every method held to its tier (users.list: 20 a minute, users.info: 100): seconds and
    Web API calls. The sandbox's workspace holds N + `--others` members.
(b) The same roster imported without a token (nobody's profile read): one tick, as
    `coach tick` runs it, reads what Slack's pace allows and plans nothing for the rest.
    Its wall time, the profiles it read, and the 429s Slack answered; then how long the
    reads for everyone take at that pace.

    .venv/bin/python bench/profile_reads.py [--people 5000] [--others 5000] [--database-url URL]
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

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
from app.delivery.profile_reads import BUDGET_S, READ_RATE
from app.delivery.roster_import import import_roster
from app.delivery.tick import Outbox
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from app.services.roster import apply_roster, parse_roster_csv
from app.slack.client import OutboxClients, make_web_client

MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TICK_TARGET_S = BUDGET_S + 2  # a tick never spends much more than its read budget


def roster(people: int) -> str:
    lines = ["slack_user_id,role,manager_slack_user_id", "U0BOSS,manager,"]
    lines += [f"U0P{n:06d},rep,U0BOSS" for n in range(people)]
    return "\n".join(lines) + "\n"


async def sandbox_with(people: int, others: int) -> SlackSandbox:
    box = SlackSandbox()
    await box.start()
    box.add_user("U0BOSS", "Boss", "Europe/Berlin")
    for n in range(people):
        box.add_user(f"U0P{n:06d}", f"Rep {n}", "Europe/Berlin")
    for n in range(others):
        box.add_user(f"U1X{n:06d}", f"Someone {n}", "Asia/Tokyo")
    box.enforce_tiers()
    return box


def calls(box: SlackSandbox, method: str) -> tuple[int, int]:
    made = box.calls_to(method)
    return len(made), sum(1 for c in made if c.status == 429)


async def import_with_token(url: str, people: int, others: int) -> list[object]:
    await fresh_database(url)
    box = await sandbox_with(people, others)
    deps = Deps.build(bench_settings(url, box.api_url), FrozenClock(MONDAY_0900_BERLIN))
    try:
        client = make_web_client(deps.settings, box.bot_token)
        started = time.perf_counter()
        report = await import_roster(deps, roster(people), box.state.team_id, client)
        took = time.perf_counter() - started
        listed, listed_429 = calls(box, "users.list")
        info, info_429 = calls(box, "users.info")
        read = report.profiles.read if report.profiles else 0
        return ["(a) import with token", f"{took:.1f} s", read, listed, info, listed_429 + info_429]
    finally:
        await deps.close()
        await box.stop()


async def tick_without_token(url: str, people: int, others: int) -> tuple[list[object], float]:
    await fresh_database(url)
    box = await sandbox_with(people, others)
    deps = Deps.build(bench_settings(url, box.api_url), FrozenClock(MONDAY_0900_BERLIN))
    try:
        async with deps.db.begin() as session:
            store = Store(session)
            workspace = await store.ensure_workspace(box.state.team_id, deps.clock())
            await apply_roster(store, workspace, parse_roster_csv(roster(people)), deps.clock())
        outbox = Outbox(deps, OutboxClients(deps), owner="bench")
        started = time.perf_counter()
        report = await outbox.tick(MONDAY_0900_BERLIN)
        took = time.perf_counter() - started
        info, info_429 = calls(box, "users.info")
        row: list[object] = [
            "(b) one tick, nobody read",
            f"{took:.2f} s",
            report.profiles.read,
            calls(box, "users.list")[0],
            info,
            info_429,
        ]
        return row, took
    finally:
        await deps.close()
        await box.stop()


async def main() -> None:
    parser = arguments(__doc__ or "", people=5000, others=5000)
    args = parse(parser)
    print(machine())
    with work_directory(args.keep) as workdir:
        url = database_url(args.database_url, workdir, "import")
        print(f"database: {database_label(url)}; {args.people} people, {args.others} others")
        first = await import_with_token(url, args.people, args.others)
        url = database_url(args.database_url, workdir, "tick")  # PostgreSQL: wiped again
        second, took = await tick_without_token(url, args.people, args.others)
    header = ["case", "time", "profiles read", "users.list calls", "users.info calls", "429s"]
    print(table([first, second], header))
    minutes = (args.people + 1 - READ_RATE.burst) / READ_RATE.per_minute
    print(
        f"at users.info's pace ({READ_RATE.burst} at once, {READ_RATE.per_minute} a minute), "
        f"ticks read everyone unread in about {max(minutes, 0) + 1:.0f} minutes"
    )
    print(f"a tick with {args.people} unread: {took:.2f} s {verdict(took <= TICK_TARGET_S)}")


if __name__ == "__main__":
    asyncio.run(main())
