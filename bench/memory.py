"""Memory: RSS of `coach serve` with a big roster after a full Monday.

Two ways to have the Monday, each on a freshly seeded database and sandbox (`--modes`):

* `cli`: `coach serve` with COACH_SCHEDULER=off, and `coach tick --now` in its own process
  at Monday 09:00 and 18:00 local (everyone's prompt, every manager's drill review, then the
  reminders); the tick processes' peak RSS is reported too.
* `scheduler`: `coach serve` with COACH_SCHEDULER=on runs those ticks itself, on a clock that
  starts at Monday 09:00 local and jumps to 18:00 (bench/common.py serve-at).

Between the ticks the server gets signed requests: App Home opens (managers first), reps'
`/drill status` and reps answering the prompt in a DM. RSS is read from /proc.

The ledger stamps `sent_at` with the tick's time (`--now` in `cli` mode), so the 18:00
reminders of reps who did not answer go out as they would on a real Monday.

    .venv/bin/python bench/memory.py [--people 10000] [--requests 200] [--database-url URL]
    .venv/bin/python bench/memory.py --modes scheduler --people 100000 --send-minutes 5
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from common import (
    Child,
    Org,
    RemoteSandbox,
    RequestBuilder,
    arguments,
    coach_env,
    database_label,
    database_url,
    fire,
    free_port,
    helper,
    local_instant,
    machine,
    parse,
    run_peak,
    seeded_database,
    start_sandbox,
    table,
    this_monday,
    verdict,
    work_directory,
)

from app.slack.ids import Command

MAX_RSS_MB = 400.0  # issue 20: 100,000 people
REPLY = (
    "1. Acme (proposal) https://gong.io/call?id={n}-1 12:30 - the CFO pushed back on price\n"
    "2. Globex (negotiation) https://zoom.us/rec/{n}-2 4:05 - legal wants a new MSA\n"
    "3. Initech (discovery) https://gong.io/call?id={n}-3 - found a second champion"
)


async def requests_round(
    remote: RemoteSandbox,
    org: Org,
    events_url: str,
    count: int,
    concurrency: int,
    *,
    settle: bool = True,
) -> str:
    """`count` each of App Home opens, /drill status and DM answers; a one-line summary."""
    builder = RequestBuilder(remote)
    homes = [*org.managers, *org.directors, *org.reps][:count]
    builder.label = "home"
    for user in homes:
        await builder.open_home(user)
    builder.label = "/drill status"
    for rep in org.reps[:count]:
        await builder.command(rep, Command.DRILL.value, "status")
    builder.label = "DM answer"
    for n, rep in enumerate(org.reps[-count:]):
        await builder.dm(rep, REPLY.format(n=n))
    await remote.register()
    async with aiohttp.ClientSession() as http:
        results = await fire(http, events_url, builder.take(), concurrency)
    if settle:  # not while a cut tick still sends: Slack is never quiet then
        await remote.quiet(still_s=1.0)
    failed = [f"{r.label} HTTP {r.status}" for r in results if r.status != 200]
    return f"{len(results)} requests, {len(failed)} not 200" + (
        f" (e.g. {failed[0]})" if failed else ""
    )


async def wait_for_sends(
    remote: RemoteSandbox, at_least: int, timeout_s: float = 1800, cut_s: float = 0
) -> int:
    """Until the server has posted `at_least` messages and then stopped calling Slack; with
    `cut_s`, no longer than that after the first of them (the server is still sending)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    cut_at = None
    while (posted := (await remote.stats())["by_method"].get("chat.postMessage", 0)) < at_least:
        if loop.time() > deadline:
            raise TimeoutError(f"fewer than {at_least} messages after {timeout_s}s")
        if cut_s and posted and cut_at is None:
            cut_at = loop.time() + cut_s
        if cut_at is not None and loop.time() > cut_at:
            return int(posted)
        await asyncio.sleep(1)
    await remote.quiet(still_s=5.0, timeout_s=timeout_s)
    return (await remote.stats())["by_method"].get("chat.postMessage", 0)


async def one_mode(
    mode: str, args: argparse.Namespace, org: Org, workdir: Path
) -> tuple[list[list[object]], list[list[object]]]:
    """(rows of the serve process's memory by stage, rows of the tick processes)."""
    monday = this_monday(args.tz)
    ticks_at = [local_instant(monday, 9, args.tz), local_instant(monday, 18, args.tz)]
    if args.send_minutes:  # cut: only the 09:00 tick, read while it still sends
        ticks_at = ticks_at[:1]
    url = database_url(args.database_url, workdir, f"memory-{mode}")
    seconds = await seeded_database(url, org, monday, args.history_weeks)
    print(f"[{mode}] seeded {org.describe()} on {database_label(url)} in {seconds:.1f}s")
    sandbox, remote = await start_sandbox(workdir, org.everyone, args.tz)
    port = free_port()
    env = coach_env(url, remote.api_url, PORT=str(port), COACH_DEFAULT_TZ=args.tz)
    if mode == "cli":
        serve = Child("coach-serve", [sys.executable, "-m", "app", "serve"], env, logs=workdir)
    else:
        env |= {"COACH_SCHEDULER": "on", "COACH_TICK_SECONDS": str(args.tick_seconds)}
        instants = [t.isoformat() for t in ticks_at]
        serve = Child("coach-serve-scheduler", helper("serve-at", *instants), env, logs=workdir)
    rows: list[list[object]] = []
    ticks: list[list[object]] = []

    def note(stage: str, detail: str = "") -> None:
        memory = serve.memory()
        rows.append([mode, stage, f"{memory['VmRSS']:.0f}", f"{memory['VmHWM']:.0f}", detail])
        print(f"[{mode}] {stage}: RSS {memory['VmRSS']:.0f} MB (peak {memory['VmHWM']:.0f})")

    events = f"http://127.0.0.1:{port}/slack/events"
    try:
        await serve.start()
        await serve.wait_http(f"http://127.0.0.1:{port}/healthz")
        note("started")
        for n, at in enumerate(ticks_at):
            label = f"{at.astimezone(ZoneInfo(args.tz)):%a %H:%M} tick"
            if mode == "cli":
                code, output, peak = await run_peak(["tick", "--now", at.isoformat()], env)
                (workdir / f"coach-tick-{n}.log").write_text(output)
                summary = output.strip().splitlines()[0] if output.strip() else f"exit {code}"
                ticks.append([label, f"{peak:.0f}", verdict(peak <= MAX_RSS_MB), summary])
                print(f"[{mode}] {label}: peak RSS {peak:.0f} MB; {summary}")
                await remote.quiet()
                posted = (await remote.stats())["by_method"].get("chat.postMessage", 0)
            else:
                if n:
                    serve.process.send_signal(signal.SIGUSR1)  # type: ignore[union-attr]
                before = (await remote.stats())["by_method"].get("chat.postMessage", 0)
                wanted = before + (len(org.reps) if n == 0 else 1)
                posted = await wait_for_sends(remote, wanted, cut_s=args.send_minutes * 60)
            note(f"after the {label}", f"{posted:,} messages posted so far")
            done = await requests_round(
                remote,
                org,
                events,
                args.requests,
                args.concurrency,
                settle=not args.send_minutes,
            )
            note(f"after requests ({label})", done)
    finally:
        await serve.stop()
        await sandbox.stop()
    return rows, ticks


async def measure(args: argparse.Namespace, workdir: Path) -> None:
    org = Org.sized(args.people, tz=args.tz)
    print(machine())
    rows: list[list[object]] = []
    ticks: list[list[object]] = []
    for mode in args.modes.split(","):
        more_rows, more_ticks = await one_mode(mode, args, org, workdir)
        rows += more_rows
        ticks += more_ticks
    db = database_label(args.database_url or "sqlite")
    print(f"\n== memory of `coach serve`, {db}, {org.describe()}")
    print(table(rows, ["mode", "stage", "RSS MB", "peak MB", "detail"]))
    when = f"{args.send_minutes:g} min of Monday's sends" if args.send_minutes else "a full Monday"
    for mode in args.modes.split(","):
        final = [r for r in rows if r[0] == mode][-1]
        rss, peak = float(str(final[2])), float(str(final[3]))
        print(
            f"[{mode}] RSS after {when} {rss:.0f} MB: {verdict(rss <= MAX_RSS_MB)}; "
            f"peak {peak:.0f} MB: {verdict(peak <= MAX_RSS_MB)} (≤ {MAX_RSS_MB:.0f} MB)"
        )
    if ticks:
        print("\n== `coach tick` processes (cli mode)")
        print(table(ticks, ["tick", "peak RSS MB", f"≤ {MAX_RSS_MB:.0f} MB", "output"]))


def main() -> None:
    parser = arguments(__doc__, people=10_000, requests=200, concurrency=10, tick_seconds=10)
    parser.add_argument("--modes", default="cli,scheduler", help="cli, scheduler or both")
    parser.add_argument(
        "--send-minutes",
        type=float,
        default=0,
        help="scheduler mode: only the 09:00 tick, RSS read this long after its first DM "
        "(a 100,000-person Monday is more than an hour of DMs)",
    )
    args = parse(parser)
    with work_directory(args.keep) as workdir:
        asyncio.run(measure(args, workdir))


if __name__ == "__main__":
    main()
