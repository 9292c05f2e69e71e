"""Ack latency: `coach serve` against a slack-bolt AsyncApp that only acks, same HTTP stack.

Each runs in its own process under uvicorn + Starlette + AsyncSlackRequestHandler (the bare
app through coach's own `build_web_app` and `uvicorn_server`), and so does the Slack sandbox.
The bare app runs twice: with process_before_response=True (it answers when the listener
returns, as coach runs bolt: the target's baseline, the framework's floor), and as bolt runs by
default (it polls for the listener's ack every 10 ms), shown on a second line. Each round
fires `--concurrency` signed requests at once at one server: half `/drill status` from
different reps (acked at once, answered on the command's response_url after its database
reads: the time until that answer is printed too), half clicks on a drill-review score button
by managers (acked at once; the score is saved and three App Homes are re-published after the
ack). Rounds rotate among the servers, after a warm-up,
and each round waits until the server has stopped calling Slack for longer than the App Home
delay. Latency is measured by the client: from sending the request to having the whole HTTP
answer.

Before the rounds, one request of each kind (and the App Home opens a click causes) goes to
the bot alone, in this process, for its SQL statements and CPU time. With `--scheduler`,
`coach serve` also runs its own ticks (COACH_SCHEDULER=on, nothing due), which shows what a
tick over `--people` does to the acks that arrive meanwhile.

    .venv/bin/python bench/ack_latency.py [--rounds 20] [--people 200] [--database-url URL]
    .venv/bin/python bench/ack_latency.py --scheduler --people 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from common import (
    Built,
    Child,
    Org,
    RemoteSandbox,
    RequestBuilder,
    StatementCounter,
    arguments,
    bench_settings,
    coach_env,
    cpu_seconds,
    database_label,
    database_url,
    fire,
    free_port,
    helper,
    local_instant,
    machine,
    parse,
    percentile,
    seeded_database,
    start_sandbox,
    table,
    this_monday,
    timed_post,
    verdict,
    work_directory,
)

from app.clock import system_clock
from app.deps import Deps
from app.rules.calendar import cycle_week
from app.sandbox.harness import RunningBot, start_bot
from app.slack.ids import Action, Command
from app.slack.metadata import RepRef
from app.slack.runtime.home_publisher import DEFAULT_DELAY_S as HOME_REFRESH_DELAY_S

MAX_RATIO = 1.0  # against the bare app answering at return: nothing of coach's own on top
MAX_P99_MS = 250.0
COMMAND, CLICK = "/drill status", "score click"
COACH, BARE = "coach serve", "bare bolt"
# The same bare app with process_before_response=True: bolt answers when the listener returns
# instead of polling for its ack every 10 ms. Coach runs bolt this way (its listeners return at
# their ack), so this is the target's baseline: what is left is coach's own cost.
BARE_AT_RETURN = "bare bolt, answer at return"
BASELINES = (BARE_AT_RETURN, BARE)
ANSWER = "/drill status answer"  # from typing the command to its answer under it
# A round is over when Slack has heard nothing from the server for longer than a change waits
# before its App Homes are re-published: else one server's Home rendering would spill into
# the other's next round.
SETTLE_S = HOME_REFRESH_DELAY_S + 0.5


async def build_round(
    builder: RequestBuilder,
    remote: RemoteSandbox,
    org: Org,
    n: int,
    size: int,
    cycle: str,
    clicks_percent: int = 50,
) -> list[Built]:
    """`size` requests: /drill status from different reps, and `clicks_percent` score clicks."""
    commands = size - round(size * clicks_percent / 100)
    builder.label = COMMAND
    for i in range(commands):
        rep = org.reps[(n * commands + i) % len(org.reps)]
        await builder.command(rep, Command.DRILL.value, "status")
    builder.label = CLICK
    for i in range(size - commands):
        manager = org.managers[i % len(org.managers)]
        team = org.reps_of(manager)
        rep = team[(n + i // len(org.managers)) % len(team)]
        score = 1 + (n + i) % 5
        message = {"type": "message", "ts": f"1700000000.{n * size + i:06d}", "text": "review"}
        value = RepRef(rep, cycle, score).dump()
        await builder.click(manager, f"{Action.SCORE.value}_{score}", value, message=message)
    await remote.register()
    return builder.take()


def summary(samples: dict[str, list[float]]) -> dict[str, tuple[float, float, int]]:
    """p50, p99 (ms) and count, per kind and for all."""
    every = [s for values in samples.values() for s in values]
    kinds = {**samples, "all": every}
    return {
        k: (percentile(v, 50) * 1000, percentile(v, 99) * 1000, len(v)) for k, v in kinds.items()
    }


async def alone(
    http: aiohttp.ClientSession,
    bot: RunningBot,
    counter: StatementCounter,
    remote: RemoteSandbox,
    request: Built,
) -> list[object]:
    """One request with nothing else going on: statements until its answer and after, and
    the CPU time (this process) until its listener has finished."""
    counter.reset()
    started = cpu_seconds()
    answer = await timed_post(http, bot.url + "/slack/events", request)
    answered = counter.count() + counter.tx_count()
    await bot.settle()
    used_ms = (cpu_seconds() - started) * 1000
    await remote.quiet(still_s=0.3)
    total = counter.count() + counter.tx_count()
    return [
        answer.label,
        answer.status,
        answered,
        total - answered,
        counter.tx_count(),
        f"{used_ms:.0f}",
    ]


async def one_of_each(url: str, remote: RemoteSandbox, org: Org, cycle: str) -> list[list[object]]:
    """A request of each kind alone (and App Home opens, which a score click causes three
    of), to the bot running in this process on the same database and sandbox; the first
    of each only warms up (auth.test, statement caches, the profile sync)."""
    deps = Deps.build(bench_settings(url, remote.api_url), system_clock)
    counter = StatementCounter(*deps.engines)
    bot = await start_bot(deps)
    builder = RequestBuilder(remote)
    rows = []
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(2):
                requests = await build_round(builder, remote, org, 1000 + n, 2, cycle)
                for label, user in (("rep", org.reps[n]), ("manager", org.managers[n % 2])):
                    builder.label = f"App Home: {label}"
                    await builder.open_home(user)
                builder.label = "App Home: director"
                await builder.open_home(org.directors[0])
                await remote.register()
                for request in [*requests, *builder.take()]:
                    row = await alone(http, bot, counter, remote, request)
                    rows += [row] if n else []
    finally:
        await bot.stop()
        await deps.close()
    return rows


@dataclass
class Tally:
    """What one server's measured rounds gave."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    cpu_s: float = 0.0  # the server's CPU over the measured rounds, post-ack work included
    example: str = ""  # one /drill status answer
    answers: list[float] = field(default_factory=list)  # seconds until the answer was posted


async def one_round(
    server: Child,
    events_url: str,
    requests: list[Built],
    remote: RemoteSandbox,
    tally: Tally,
    *,
    measured: bool,
) -> None:
    """Fire a round at one server, on fresh connections (no keep-alive carried over a round of
    the other server), and wait until its listeners have stopped calling Slack."""
    cpu_before = cpu_seconds(server.pid)
    async with aiohttp.ClientSession() as http:
        results = await fire(http, events_url, requests, len(requests))
    await remote.quiet(still_s=SETTLE_S)
    if measured:
        tally.cpu_s += cpu_seconds(server.pid) - cpu_before
    answered = await remote.answers()
    for result, request in zip(results, requests, strict=True):
        if measured:  # a failed ack is timed too: it is what Slack saw
            tally.samples[result.label].append(result.seconds)
        if result.status != 200:
            tally.failures.append(f"{result.label}: HTTP {result.status} {result.body[:80]!r}")
            continue
        if result.label != COMMAND:
            continue
        answer = answered.get(response_token(request))
        text = json.loads(result.body).get("text", "") if result.body else ""
        if answer is not None:  # acked empty, answered on the response_url
            text = answer["text"]
            if measured:
                tally.answers.append(answer["at"] - result.sent_at)
        tally.example = tally.example or text


def response_token(request: Built) -> str:
    """The token of a slash command's response_url (its last path segment)."""
    fields = parse_qs(request.body.decode())
    return fields.get("response_url", [""])[0].rsplit("/", 1)[-1]


def coach_server(
    args: argparse.Namespace, url: str, remote: RemoteSandbox, port: int, monday: date, logs: Path
) -> Child:
    """`coach serve`; with --scheduler, ticking itself every --tick-seconds on a clock set to
    Sunday noon before `monday` (nothing due: what the ticks cost is loading and planning)."""
    env = coach_env(url, remote.api_url, PORT=str(port))
    if not args.scheduler:
        return Child("coach-serve", [sys.executable, "-m", "app", "serve"], env, logs=logs)
    env |= {"COACH_SCHEDULER": "on", "COACH_TICK_SECONDS": str(args.tick_seconds)}
    sunday_noon = local_instant(monday - timedelta(days=1), 12, args.tz).isoformat()
    return Child("coach-serve-scheduler", helper("serve-at", sunday_noon), env, logs=logs)


async def measure(args: argparse.Namespace, workdir: Path) -> None:
    print(machine())
    org = Org.sized(args.people, tz=args.tz)
    monday = this_monday(args.tz)
    url = database_url(args.database_url, workdir, "ack")
    seconds = await seeded_database(url, org, monday, args.history_weeks)
    print(f"seeded {org.describe()} on {database_label(url)} in {seconds:.1f}s")
    sandbox, remote = await start_sandbox(workdir, org.everyone, args.tz)
    ports = {name: free_port() for name in (COACH, *BASELINES)}
    bare = ("bare", "--api-url", remote.api_url)
    servers = {
        COACH: coach_server(args, url, remote, ports[COACH], monday, workdir),
        BARE: Child("bare-bolt", helper(*bare, "--port", str(ports[BARE])), logs=workdir),
        BARE_AT_RETURN: Child(
            "bare-bolt-at-return",
            helper(*bare, "--port", str(ports[BARE_AT_RETURN]), "--process-before-response"),
            logs=workdir,
        ),
    }
    tallies = {name: Tally() for name in servers}
    try:
        for name, child in servers.items():
            await child.start()
            await child.wait_http(f"http://127.0.0.1:{ports[name]}/healthz")
        cycle = cycle_week(monday - timedelta(weeks=1))  # last week's drill is scored
        alone = await one_of_each(url, remote, org, cycle)
        builder = RequestBuilder(remote)
        names = list(servers)
        for n in range(args.warmup + args.rounds):
            for name in names[n % len(names) :] + names[: n % len(names)]:  # each goes first
                requests = await build_round(
                    builder, remote, org, n, args.concurrency, cycle, args.clicks_percent
                )
                events_url = f"http://127.0.0.1:{ports[name]}/slack/events"
                await one_round(
                    servers[name],
                    events_url,
                    requests,
                    remote,
                    tallies[name],
                    measured=n >= args.warmup,
                )
        stats = await remote.stats()
    finally:
        for child in servers.values():
            await child.stop()
        await sandbox.stop()
    ticking = f", coach ticking every {args.tick_seconds:g}s" if args.scheduler else ""
    print(
        f"\n== ack latency, {database_label(url)}, {org.describe()}{ticking}: {args.rounds} "
        f"rounds of {args.concurrency} concurrent requests per server after {args.warmup} "
        "warm-up rounds"
    )
    report(tallies, args.rounds * args.concurrency)
    print(f"sandbox calls by method: {dict(stats['by_method'])}; refused: {dict(stats['refused'])}")
    print("\nOne request of each kind alone (the bot in this process, after a warm-up):")
    header = ["request", "HTTP", "SQL until the answer", "SQL after it", "of them BEGIN", "CPU ms"]
    print(table(alone, header))


def report(tallies: dict[str, Tally], requests: int) -> None:
    figures = {name: summary(tally.samples) for name, tally in tallies.items()}
    coach = figures[COACH]
    rows = []
    for kind in (k for k in (COMMAND, CLICK, "all") if all(k in f for f in figures.values())):
        for name, figs in figures.items():
            p50, p99, count = figs[kind]
            rows.append([kind, name, count, f"{p50:.1f}", f"{p99:.1f}"])
        for baseline in BASELINES:
            p50_ratio, p99_ratio = (coach[kind][q] / figures[baseline][kind][q] for q in (0, 1))
            rows.append([kind, f"coach / {baseline}", "", f"{p50_ratio:.2f}x", f"{p99_ratio:.2f}x"])
    print(table(rows, ["requests", "server", "n", "p50 ms", "p99 ms"]))
    # The target's baseline: a bare AsyncApp answering at return, as coach runs bolt.
    floor = figures[BARE_AT_RETURN]["all"]
    p50_ratio, p99_ratio = coach["all"][0] / floor[0], coach["all"][1] / floor[1]
    print(f"against {BARE_AT_RETURN} (as coach runs bolt):")
    print(f"p50 ratio {p50_ratio:.2f}x: {verdict(p50_ratio <= MAX_RATIO)} (≤ {MAX_RATIO}x)")
    print(f"p99 ratio {p99_ratio:.2f}x: {verdict(p99_ratio <= MAX_RATIO)} (≤ {MAX_RATIO}x)")
    default = figures[BARE]["all"]
    print(
        f"against {BARE} (bolt's default, polling for the ack every 10 ms): p50 "
        f"{coach['all'][0] / default[0]:.2f}x, p99 {coach['all'][1] / default[1]:.2f}x"
    )
    p99 = coach["all"][1]
    print(f"coach p99 {p99:.1f} ms: {verdict(p99 < MAX_P99_MS)} (< {MAX_P99_MS:.0f} ms)")
    print(
        "server CPU per request (its answer and what its listener did after): "
        + ", ".join(f"{name} {t.cpu_s / requests * 1000:.1f} ms" for name, t in tallies.items())
    )
    for name, tally in tallies.items():
        if tally.failures:
            print(
                f"{name}: {len(tally.failures)} answers were not HTTP 200 (warm-up included; "
                f"Slack shows the user an error for each), e.g. {tally.failures[0]}"
            )
    for name, tally in tallies.items():
        if tally.answers:
            p50, p99 = (percentile(tally.answers, q) * 1000 for q in (50, 99))
            print(
                f"{name}: /drill status acked empty, answered on its response_url: from typing "
                f"to the answer p50 {p50:.1f} ms, p99 {p99:.1f} ms (n={len(tally.answers)})"
            )
    if tallies[COACH].example:
        print(f"a /drill status answer from coach: {tallies[COACH].example[:100]!r}")


def main() -> None:
    parser = arguments(__doc__, rounds=20, warmup=3, concurrency=50, people=200, clicks_percent=50)
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="coach serve runs its own (idle) ticks, as with COACH_SCHEDULER=on",
    )
    parser.add_argument("--tick-seconds", type=float, default=10.0)
    args = parse(parser)
    with work_directory(args.keep) as workdir:
        asyncio.run(measure(args, workdir))


if __name__ == "__main__":
    main()
