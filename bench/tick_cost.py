"""Tick cost: SQL statements and time of `Outbox.tick` over a big roster.

(a) a tick with nothing due (Sunday noon, empty ledger; Monday 09:01, inside the windows the
    09:00 tick planned and sent; and Monday 21:00, after Monday's sends);
(b) Monday 09:00 local, when every rep's prompt and every manager's drill review is due:
    planning alone (repeated, rolled back) for a small and the full roster, to show whether its
    statements grow with the number of people; then one real tick that sends everything to the
    Slack sandbox (in its own process), with statements for planning, claiming, each message
    and expiry apart.

With `--no-send` the real tick is left out (at 100,000 people it would be an hour of DMs):
the idle ticks at Sunday noon and Monday 21:00, and planning. The process's first tick,
which reads the roster's shape, is shown apart from the idle ticks after it.

    .venv/bin/python bench/tick_cost.py [--people 10000] [--small 1000] [--database-url URL]
    .venv/bin/python bench/tick_cost.py --people 100000 --small 10000 --no-send
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    Org,
    StatementCounter,
    arguments,
    bench_settings,
    cpu_seconds,
    database_label,
    database_url,
    in_phase,
    local_instant,
    machine,
    median,
    parse,
    phase,
    seeded_database,
    start_sandbox,
    table,
    this_monday,
    vacuum,
    verdict,
    work_directory,
)

from app.clock import system_clock
from app.db.ledger import Ledger
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.services import week_plan
from app.slack.client import OutboxClients

MAX_IDLE_STATEMENTS = 5
MAX_IDLE_MS = 100.0
MAX_PLAN_S = 10.0  # a Monday's planning for the full roster: seconds, not minutes


class CountingOutbox(Outbox):
    """The real outbox; only labels its statements: claiming (and pacing) vs each message."""

    async def _send_due(self, *args: Any, **kwargs: Any) -> tuple[Counter[str], bool]:
        with in_phase("send:claim"):
            sent = await super()._send_due(*args, **kwargs)
        phase.set("expire")  # what the tick runs next, in this same context
        return sent

    async def send_one(self, claim: Any, *args: Any, **kwargs: Any) -> str:
        with in_phase(f"send:msg:{claim.kind.value}"):
            return await super().send_one(claim, *args, **kwargs)


@dataclass
class Run:
    ms: float
    sql: int
    tx: int
    by_phase: dict[str, int]
    samples: dict[str, list[str]]
    result: Any = None


async def timed(counter: StatementCounter, label: str, work: Any) -> Run:
    counter.reset()
    with in_phase(label):
        started = time.perf_counter()
        result = await work()
        ms = (time.perf_counter() - started) * 1000
    return Run(
        ms,
        counter.count(),
        counter.tx_count(),
        dict(counter.sql),
        {k: list(v) for k, v in counter.samples.items()},
        result,
    )


async def repeated(counter: StatementCounter, work: Any, runs: int) -> Run:
    """One warm-up, then `runs` timed: the median time, the statements of the last."""
    await work()
    done = [await timed(counter, "plan", work) for _ in range(runs)]
    last = done[-1]
    last.ms = median([r.ms for r in done])
    return last


async def tick_runs(outbox: Outbox, counter: StatementCounter, at: datetime, runs: int) -> Run:
    async def tick() -> Any:
        return await outbox.tick(at)

    return await repeated(counter, tick, runs)


async def plan_runs(deps: Deps, counter: StatementCounter, at: datetime, runs: int) -> Run:
    """Planning alone, as the tick does it, rolled back so every run plans the same rows."""

    async def plan() -> int:
        async with deps.db() as session:
            transaction = await session.begin()
            planned = await week_plan.plan_due(
                Store(session), Ledger(session), at, deps.settings.coach_default_tz
            )
            await transaction.rollback()
            return planned

    return await repeated(counter, plan, runs)


def sending(args: argparse.Namespace) -> dict[str, int]:
    return {"coach_send_concurrency": args.send_concurrency} if args.send_concurrency else {}


def idle_rows(name: str, org: Org, run: Run) -> list[list[object]]:
    ok = run.sql <= MAX_IDLE_STATEMENTS and run.ms < MAX_IDLE_MS
    phases = ", ".join(f"{k} {v}" for k, v in sorted(run.by_phase.items()))
    return [
        [
            name,
            f"{len(org.everyone):,}",
            run.sql,
            run.tx,
            f"{run.ms:.1f}",
            f"{verdict(ok)} (≤{MAX_IDLE_STATEMENTS} statements, <{MAX_IDLE_MS:.0f} ms)",
            phases,
        ]
    ]


async def measure(args: argparse.Namespace, workdir: Path) -> None:
    print(machine())
    full = Org.sized(args.people, tz=args.tz)
    small = Org.sized(args.small, tz=args.tz)
    monday = this_monday(args.tz)
    sunday_noon = local_instant(monday - timedelta(days=1), 12, args.tz)
    monday_0900 = local_instant(monday, 9, args.tz)
    monday_2100 = local_instant(monday, 21, args.tz)
    sandbox, remote = await start_sandbox(workdir, full.everyone, args.tz)
    try:
        plans: dict[int, tuple[Run, Run]] = {}
        for org in (small, full):
            url = database_url(args.database_url, workdir, f"tick-{len(org.everyone)}")
            seconds = await seeded_database(url, org, monday, args.history_weeks)
            print(f"seeded {org.describe()} on {database_label(url)} in {seconds:.1f}s")
            deps = Deps.build(
                bench_settings(url, remote.api_url, coach_default_tz=args.tz, **sending(args)),
                system_clock,
            )
            counter = StatementCounter(*deps.engines)
            try:
                plans[len(org.everyone)] = (
                    await plan_runs(deps, counter, sunday_noon, args.runs),
                    await plan_runs(deps, counter, monday_0900, args.runs),
                )
                await vacuum(url)  # the rolled-back plans' dead rows
                if org is full:
                    await full_ticks(
                        args,
                        deps,
                        counter,
                        org,
                        remote,
                        sandbox.pid,
                        (sunday_noon, monday_0900, monday_2100),
                        plans,
                    )
            finally:
                await deps.close()
    finally:
        await sandbox.stop()


async def full_ticks(
    args: argparse.Namespace,
    deps: Deps,
    counter: StatementCounter,
    org: Org,
    remote: Any,
    sandbox_pid: int,
    times: tuple[datetime, datetime, datetime],
    plans: dict[int, tuple[Run, Run]],
) -> None:
    sunday_noon, monday_0900, monday_2100 = times
    outbox = CountingOutbox(deps, OutboxClients(deps))
    first = await timed(counter, "plan", lambda: outbox.tick(sunday_noon - timedelta(minutes=1)))
    idle = [
        ("Sunday 12:00 (empty ledger)", await tick_runs(outbox, counter, sunday_noon, args.runs))
    ]

    async def monday_tick() -> Any:
        return await outbox.tick(monday_0900)

    if not args.no_send:
        before = (await remote.stats())["by_method"].get("chat.postMessage", 0)
        cpu_before = cpu_seconds(), cpu_seconds(sandbox_pid)
        busy = await timed(counter, "plan", monday_tick)
        cpu = cpu_seconds() - cpu_before[0], cpu_seconds(sandbox_pid) - cpu_before[1]
        posted = (await remote.stats())["by_method"].get("chat.postMessage", 0) - before
        inside = await tick_runs(outbox, counter, monday_0900 + timedelta(minutes=1), args.runs)
        idle.append(("Monday 09:01 (windows open, all planned)", inside))
    idle.append(("Monday 21:00", await tick_runs(outbox, counter, monday_2100, args.runs)))
    idle_table(deps, org, args, first, idle)
    plan_table(deps, plans, args)
    if args.no_send:
        return
    db = database_label(deps.settings.database_url)
    report = busy.result
    sent = sum(report.outcomes.values())
    print(f"\n== (b) the real tick at Monday 09:00 local, {db}: sends to the sandbox")
    print(f"report: {report.describe()}; chat.postMessage calls: {posted:,}")
    print(
        f"wall time {busy.ms / 1000:.1f}s ({sent / max(busy.ms / 1000, 1e-9):.0f} messages/s); "
        f"CPU {cpu[0]:.1f}s in the bot (this process), {cpu[1]:.1f}s in the sandbox; send "
        f"concurrency {getattr(deps.settings, 'coach_send_concurrency', 'n/a')}"
    )
    by_phase = busy.by_phase
    print(table(sorted(by_phase.items()), ["phase", "SQL statements"]))
    msg_sql = sum(n for label, n in by_phase.items() if label.startswith("send:msg:"))
    claim_sql = by_phase.get("send:claim", 0)
    print(
        f"per message: {msg_sql / max(sent, 1):.2f} statements to compose/send/record, "
        f"{claim_sql / max(sent, 1):.2f} to claim and pace; "
        f"BEGIN IMMEDIATE (SQLite) {busy.tx} in all"
    )
    for label, shown in sorted(busy.samples.items()):
        if label.startswith("send:"):
            for statement in shown:
                print(f"  [{label}] {statement}")


def idle_table(
    deps: Deps, org: Org, args: argparse.Namespace, first: Run, runs: list[tuple[str, Run]]
) -> None:
    db = database_label(deps.settings.database_url)
    print(f"\n== (a) tick with nothing due, {db}: median of {args.runs} ticks after a warm-up")
    header = ["tick", "people", "SQL", "BEGINs", "median ms", "target", "SQL by phase"]
    rows = [
        [
            *idle_rows("the process's first tick (reads the roster's shape)", org, first)[0][:5],
            "(once per process)",
            "",
        ]
    ]
    for name, run in runs:
        rows += idle_rows(name, org, run)
    print(table(rows, header))
    print("statements of the idle tick:")
    for label, shown in sorted(runs[-1][1].samples.items()):
        for statement in shown:
            print(f"  [{label}] {statement}")


def plan_table(deps: Deps, plans: dict[int, tuple[Run, Run]], args: argparse.Namespace) -> None:
    db = database_label(deps.settings.database_url)
    print(f"\n== (b) planning at Monday 09:00 local (rolled back), {db}: median of {args.runs}")
    header = ["people", "rows planned", "SQL", "median ms", "idle planning SQL", "idle ms"]
    rows = [
        [
            f"{n:,}",
            busy_plan.result,
            busy_plan.sql,
            f"{busy_plan.ms:.1f}",
            idle.sql,
            f"{idle.ms:.1f}",
        ]
        for n, (idle, busy_plan) in sorted(plans.items())
    ]
    print(table(rows, header))
    counts = [busy_plan.sql for _, busy_plan in plans.values()]
    print(
        f"planning statements {' vs '.join(map(str, counts))} for "
        f"{' vs '.join(f'{n:,}' for n in sorted(plans))} people: "
        f"{verdict(len(set(counts)) == 1)} (independent of the number of people)"
    )
    full_s = plans[max(plans)][1].ms / 1000
    print(
        f"planning {max(plans):,} people: {full_s:.1f} s: {verdict(full_s < MAX_PLAN_S)} "
        f"(< {MAX_PLAN_S:.0f} s)"
    )
    for statement in plans[max(plans)][1].samples.get("plan", []):
        print(f"  [plan] {statement}")


def main() -> None:
    parser = arguments(__doc__, people=10_000, small=1_000, runs=7)
    parser.add_argument("--no-send", action="store_true", help="leave out the real tick")
    parser.add_argument(
        "--send-concurrency", type=int, help="COACH_SEND_CONCURRENCY (default: coach's own)"
    )
    args = parse(parser)
    with work_directory(args.keep) as workdir:
        asyncio.run(measure(args, workdir))


if __name__ == "__main__":
    main()
