"""Many workspaces at once: W workspaces × N reps whose Monday prompts are due at the same
minute, Slack holding each workspace to L posts a minute (it counts per app and workspace).
coach is installed in each by OAuth (its own bot token, sealed at rest), and the senders are
real `coach tick` processes (`--replicas`).

    .venv/bin/python bench/workspaces.py                          # 20 × 500 at 300/min, SQLite
    .venv/bin/python bench/workspaces.py --throttled 1            # one answered 429 on every post
    .venv/bin/python bench/workspaces.py --replicas 2 --database-url postgresql+asyncpg://…

Target: every workspace has all its prompts within 1.2× of (its messages ÷ L) — not W times
that — and with `--throttled K`, the K workspaces Slack refuses delay only themselves: the
others still within 1.2×. Also printed: lateness against 09:00 (p50 / p95 / max), the
messages a second all senders sustained, 429s, duplicates and losses.

The pace is set to L (COACH_SEND_RATE_PER_MINUTE) as an admin who knows Slack's figure
would; `--adaptive` sets nothing and lets coach learn it (bench/fanout.py --adaptive
measures that learning alone).
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
    bench_settings,
    children_cpu_seconds,
    coach_env,
    database_label,
    database_url,
    fresh_database,
    local_instant,
    machine,
    median,
    parse,
    percentile,
    run_senders_until,
    seed,
    table,
    this_monday,
    ticking,
    verdict,
    work_directory,
)
from slack_sdk.oauth.installation_store.models.installation import Installation

from app.clock import system_clock
from app.config import Settings
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from app.slack.sealed_store import installation_store
from app.token_cipher import new_key_line

TARGET_RATIO = 1.2
STATE_SECRET = "bench-state-secret"


def org_of(workspace: int, reps: int, tz: str) -> Org:
    """One workspace's people, ids unique across workspaces (the sandbox has one pool)."""
    managers = max(1, reps // 20)
    return Org(
        directors=(f"U0D{workspace:02d}000",),
        managers=tuple(f"U0M{workspace:02d}{n:03d}" for n in range(managers)),
        reps=tuple(f"U0R{workspace:02d}{n:04d}" for n in range(reps)),
        tz=tz,
    )


async def install(url: str, sandbox: SlackSandbox, api_url: str, keys: str, team: str) -> None:
    """What an OAuth install in `team` leaves: its bot token, sealed, in the store."""
    settings = bench_settings(
        url,
        api_url,
        slack_bot_token=None,
        slack_client_id=sandbox.client_id,
        slack_client_secret=sandbox.client_secret,
        slack_state_secret=STATE_SECRET,
        coach_token_keys=keys,
    )
    deps = Deps.build(settings, system_clock)
    try:
        await installation_store(deps).async_save(
            Installation(
                app_id="A0COACH",
                team_id=team,
                user_id="U0INSTALLER",
                bot_token=sandbox.token_of(team),
                bot_id="B0COACH",
                bot_user_id="U0COACHBOT",
            )
        )
    finally:
        await deps.close()


async def main() -> None:
    parser = arguments(
        __doc__ or "", workspaces=20, reps=500, limit_per_minute=300, replicas=1, throttled=0
    )
    parser.add_argument("--give-up-s", type=float, default=900, help="stop waiting after this")
    parser.add_argument("--adaptive", action="store_true", help="no rate set: coach learns it")
    parser.add_argument("--retry-after", type=int, default=5, help="the throttled ones' wait")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings.model_fields["coach_send_concurrency"].default,
        help="COACH_SEND_CONCURRENCY of each sender (coach's default unless set)",
    )
    args = parse(parser)
    limit, teams = args.limit_per_minute, [f"T0WS{w:02d}" for w in range(args.workspaces)]
    orgs = {team: org_of(w, args.reps, args.tz) for w, team in enumerate(teams)}
    throttled = set(teams[: args.throttled])
    monday = this_monday(args.tz)
    keys = new_key_line("bench")
    with work_directory(args.keep) as work:
        url = database_url(args.database_url, work, "workspaces")
        people = sum(len(org.everyone) for org in orgs.values())
        print(f"{len(teams)} workspaces, {people:,} people on {database_label(url)}; seeding…")
        await fresh_database(url)
        sandbox = SlackSandbox(team_id=TEAM_ID, bot_token=BOT_TOKEN)
        api_url = await sandbox.start()
        for team, org in orgs.items():
            await seed(url, org, monday, history_weeks=0, team_id=team)
            sandbox.add_team(team)
            await install(url, sandbox, api_url, keys, team)
            for user in org.everyone:
                sandbox.add_user(user, user, org.tz)
        sandbox.set_rate_limit("chat.postMessage", limit)
        for team in throttled:
            sandbox.rate_limit_next(
                "chat.postMessage", count=10**9, retry_after=args.retry_after, team=team
            )

        env = coach_env(url, api_url, COACH_LOG_LEVEL="INFO")
        env.pop("SLACK_BOT_TOKEN")
        env |= {
            "SLACK_CLIENT_ID": sandbox.client_id,
            "SLACK_CLIENT_SECRET": sandbox.client_secret,
            "SLACK_STATE_SECRET": STATE_SECRET,
            "COACH_TOKEN_KEYS": keys,
            "COACH_SEND_CONCURRENCY": str(args.concurrency),
        }
        if args.adaptive:
            env.pop("COACH_SEND_RATE_PER_MINUTE", None)
            env.pop("COACH_SEND_START_PER_MINUTE", None)
        else:
            env |= {"COACH_SEND_RATE_PER_MINUTE": str(limit)}
            env |= {"COACH_SEND_START_PER_MINUTE": str(limit)}
        due = local_instant(monday, 9, args.tz)
        print(f"sending: {args.replicas} sender(s), {limit}/min in each workspace", flush=True)
        cpu_before = children_cpu_seconds()
        started = time.monotonic()
        started_wall = datetime.now(UTC)  # the senders' clocks start at `due` now
        done = asyncio.Event()
        senders = [
            asyncio.create_task(ticking(env, due, work / f"sender-{n}.log", done))
            for n in range(args.replicas)
        ]
        channels = {
            team: {sandbox.state.dm_channel(rep) for rep in org.reps} for team, org in orgs.items()
        }
        finished: dict[str, float] = {}

        def all_served() -> bool:
            for team in set(teams) - throttled - set(finished):
                if all(sandbox.state.messages.get(c) for c in channels[team]):
                    finished[team] = time.monotonic() - started
            return len(finished) == len(teams) - len(throttled)

        elapsed, ticks = await run_senders_until(senders, done, all_served, started, args.give_up_s)
        senders_cpu = children_cpu_seconds() - cpu_before
        posts = sandbox.calls_to("chat.postMessage")
        ids = sandbox.deliveries()
        await sandbox.stop()

    served = [team for team in teams if team not in throttled]
    sent = {team: sum(1 for c in posts if c.ok and c.team_id == team) for team in teams}
    ratios = {team: finished.get(team, elapsed) / (sent[team] / limit * 60) for team in served}
    rep_ids = {rep for team in served for rep in orgs[team].reps}
    prompts = [c for c in posts if c.ok and c.args["channel"] in rep_ids]
    late = [(c.at - started_wall).total_seconds() for c in prompts]
    lost = sum(1 for team in served for c in channels[team] if not sandbox.state.messages.get(c))
    duplicates = sum(count - 1 for count in ids.values() if count > 1)
    refused = [c for c in posts if c.status == 429 and c.team_id in served]
    worst = max(ratios.values())
    first, last = min(c.at for c in prompts), max(c.at for c in prompts)
    rows = [
        ["workspaces × reps", f"{len(teams)} × {args.reps:,}"],
        ["Slack limit", f"{limit}/min in each workspace"],
        ["pace", "learned (nothing set)" if args.adaptive else f"set to {limit}/min"],
        [
            "senders (coach tick runs), sends at once each",
            f"{args.replicas} ({ticks}), {args.concurrency}",
        ],
        [
            "best possible (a workspace's messages ÷ limit)",
            f"{median([sent[t] / limit * 60 for t in served]):.1f} s (median)",
        ],
        [
            "workspace done (median / slowest)",
            f"{median([finished.get(t, elapsed) for t in served]):.1f} / "
            f"{max(finished.get(t, elapsed) for t in served):.1f} s",
        ],
        ["ratio, slowest workspace", f"{worst:.3f}  {verdict(worst <= TARGET_RATIO)} (≤ 1.2)"],
        ["ratio, median workspace", f"{median(list(ratios.values())):.3f}"],
        [
            "lateness against 09:00 (p50 / p95 / max)",
            f"{median(late):.1f} / {percentile(late, 95):.1f} / {max(late):.1f} s",
        ],
        [
            "messages a second (all senders, first → last prompt)",
            f"{len(prompts) / max((last - first).total_seconds(), 1e-9):.1f}",
        ],
        [
            "senders' CPU a message (all coach tick runs ÷ posts answered ok)",
            f"{senders_cpu / max(sum(sent.values()), 1) * 1000:.1f} ms",
        ],
        ["duplicates", f"{duplicates}  {verdict(duplicates == 0)}"],
        ["lost", f"{lost}  {verdict(lost == 0)}"],
        [
            "429s, served workspaces",
            f"{len(refused)} of {sum(1 for c in posts if c.team_id in served)} posts",
        ],
    ]
    if throttled:
        tried = sum(1 for c in posts if c.team_id in throttled)
        rows.append([f"throttled workspaces ({len(throttled)})", f"{tried} posts tried, all 429"])
    print()
    print(machine())
    print(table(rows, ["workspaces", database_label(url)]))


if __name__ == "__main__":
    asyncio.run(main())
