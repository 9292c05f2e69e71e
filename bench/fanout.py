"""Fan-out: N reps' Monday prompts due at once, Slack enforcing a per-minute limit on
chat.postMessage with 429s. How long until every prompt is delivered, against the best
possible N ÷ limit; duplicates, losses and 429s.

    .venv/bin/python bench/fanout.py                       # 5,000 reps, SQLite, 1 sender
    .venv/bin/python bench/fanout.py --replicas 3 --database-url postgresql+asyncpg://...

The sandbox runs in this process and counts what arrived; every sender is a real
`coach tick` process with COACH_SEND_RATE_PER_MINUTE set to the sandbox's limit. Target:
time ÷ (N ÷ limit) ≤ 1.1, 0 duplicates, 0 lost.

With `--adaptive` no rate is configured: coach starts at COACH_SEND_START_PER_MINUTE (60)
and learns the workspace's ceiling from the sandbox's 429s (app/rules/pacing.py). Target:
time ÷ (N ÷ limit) ≤ 1.15 and under 2% of posts answered 429.

    .venv/bin/python bench/fanout.py --adaptive --reps 3000 --limit-per-minute 600

What one sender process sustains (messages a second, each database): a limit far above what
one process can send, e.g. `--reps 5000 --limit-per-minute 100000`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from common import (
    BOT_TOKEN,
    TEAM_ID,
    Org,
    arguments,
    coach_env,
    database_label,
    database_url,
    local_instant,
    machine,
    median,
    parse,
    percentile,
    run_senders_until,
    seeded_database,
    table,
    this_monday,
    ticking,
    verdict,
    work_directory,
)

from app.sandbox.server import SlackSandbox

TARGET_RATIO = 1.1
ADAPTIVE_RATIO = 1.15
ADAPTIVE_429_SHARE = 0.02


def sender_env(url: str, api_url: str, rate: int | None) -> dict[str, str]:
    """A sender's settings: paced at `rate`, or (None) nothing set, the pace learned."""
    env = coach_env(url, api_url, COACH_LOG_LEVEL="INFO")
    if rate is None:
        env.pop("COACH_SEND_RATE_PER_MINUTE", None)
        env.pop("COACH_SEND_START_PER_MINUTE", None)
    else:
        env |= {"COACH_SEND_RATE_PER_MINUTE": str(rate), "COACH_SEND_START_PER_MINUTE": str(rate)}
    return env


async def main() -> None:
    parser = arguments(__doc__ or "", reps=5000, limit_per_minute=3000, replicas=1)
    parser.add_argument("--give-up-s", type=float, default=1800, help="stop waiting after this")
    parser.add_argument("--adaptive", action="store_true", help="no rate set: coach learns it")
    args = parse(parser)
    reps, limit = args.reps, args.limit_per_minute
    managers = max(1, reps // 20)
    org = Org(
        directors=("U0D00000",),
        managers=tuple(f"U0M{n:05d}" for n in range(managers)),
        reps=tuple(f"U0R{n:05d}" for n in range(reps)),
        tz=args.tz,
    )
    monday = this_monday(org.tz)
    with work_directory(args.keep) as work:
        url = database_url(args.database_url, work, "fanout")
        print(f"{org.describe()} on {database_label(url)}; seeding…", flush=True)
        await seeded_database(url, org, monday, history_weeks=0)

        sandbox = SlackSandbox(team_id=TEAM_ID, bot_token=BOT_TOKEN)
        api_url = await sandbox.start()
        for user in org.everyone:
            sandbox.add_user(user, user, org.tz)
        sandbox.set_rate_limit("chat.postMessage", limit)
        due = local_instant(monday, 9, org.tz)
        print(f"sending: {args.replicas} sender(s), limit {limit}/min", flush=True)
        started = time.monotonic()
        started_wall = datetime.now(UTC)  # the senders' clocks start at `due` now
        done = asyncio.Event()
        senders = [
            asyncio.create_task(
                ticking(
                    sender_env(url, api_url, None if args.adaptive else limit),
                    due,
                    work / f"sender-{n}.log",
                    done,
                )
            )
            for n in range(args.replicas)
        ]
        # Managers' and directors' steps may be due too: wait for the reps' prompts.
        rep_channels = {sandbox.state.dm_channel(rep) for rep in org.reps}
        elapsed, ticks = await run_senders_until(
            senders,
            done,
            lambda: sum(len(sandbox.state.messages.get(c, [])) for c in rep_channels) >= reps,
            started,
            args.give_up_s,
        )
        posts = sandbox.calls_to("chat.postMessage")
        ids = sandbox.deliveries()
        prompts = [c for c in posts if c.ok and c.args["channel"] in org.reps]
        first, last = min(c.at for c in prompts), max(c.at for c in prompts)
        # How late each prompt left against its 09:00 local due time (the sandbox stamps
        # calls with the wall clock; the senders' 09:00 was `started_wall`).
        late = [(c.at - started_wall).total_seconds() for c in prompts]
        await sandbox.stop()

    # Managers' drill reviews are due at 09:00 too and share the workspace's limit: the best
    # possible time is for every message that went out, not only the reps' prompts.
    messages = len(ids)
    best_s = messages / limit * 60
    duplicates = sum(count - 1 for count in ids.values() if count > 1)
    lost = reps - sum(1 for c in rep_channels if sandbox.state.messages.get(c))
    ratio = elapsed / best_s
    limited = sum(1 for c in posts if c.status == 429)
    target = ADAPTIVE_RATIO if args.adaptive else TARGET_RATIO
    share = limited / max(len(posts), 1)
    print()
    print(machine())
    print(
        table(
            [
                ["reps", f"{reps:,}"],
                ["scheduled DMs delivered (N)", f"{messages:,}"],
                ["senders (coach tick runs)", f"{args.replicas} ({ticks})"],
                ["Slack limit", f"{limit}/min"],
                ["best possible (N ÷ limit)", f"{best_s:.1f} s"],
                ["time to all delivered", f"{elapsed:.1f} s"],
                ["first → last post", f"{(last - first).total_seconds():.1f} s"],
                [
                    "messages a second (first → last post)",
                    f"{len(prompts) / max((last - first).total_seconds(), 1e-9):.1f}",
                ],
                [
                    "lateness against 09:00 (p50 / p95 / max)",
                    f"{median(late):.1f} / {percentile(late, 95):.1f} / {max(late):.1f} s",
                ],
                ["pace", "learned (nothing set)" if args.adaptive else f"set to {limit}/min"],
                ["ratio", f"{ratio:.3f}  {verdict(ratio <= target)} (≤ {target})"],
                ["duplicates", f"{duplicates}  {verdict(duplicates == 0)}"],
                ["lost", f"{lost}  {verdict(lost == 0)}"],
                [
                    "429s received",
                    f"{limited} of {len(posts)} posts ({100 * share:.1f}%)"
                    + (f"  {verdict(share < ADAPTIVE_429_SHARE)} (< 2%)" if args.adaptive else ""),
                ],
            ],
            ["fan-out", database_label(url)],
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
