"""A big Berlin sales org whose Monday prompts are all due at once, and the ways to check
that a fan-out delivered each of them exactly once."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.db.models import Delivery
from app.db.store import Store
from app.deps import Deps
from app.rules.types import DeliveryStatus, Step
from app.sandbox.server import SlackSandbox
from app.services.roster import apply_roster, parse_roster_csv
from tests.support.factories import SIGNING_SECRET, empty_tables, mark_profiles_read, seed_org
from tests.support.processes import coach_env

MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
REP_PREFIX = "U0R"


async def seed_big_org(deps: Deps, sandbox: SlackSandbox, reps: int, managers: int = 20) -> None:
    manager_ids = [f"U0M{n:04d}" for n in range(managers)]
    rep_ids = [f"{REP_PREFIX}{n:04d}" for n in range(reps)]
    rows = ["slack_user_id,role,manager_slack_user_id,timezone"]
    rows += [f"{m},manager,,Europe/Berlin" for m in manager_ids]
    rows += [f"{r},rep,{manager_ids[n % managers]},Europe/Berlin" for n, r in enumerate(rep_ids)]
    for user in (*manager_ids, *rep_ids):
        sandbox.add_user(user, user, "Europe/Berlin")
    await empty_tables(deps)
    await seed_org(deps, "\n".join(rows) + "\n")


async def seed_workspace(
    deps: Deps, sandbox: SlackSandbox, team_id: str, prefix: str, reps: int
) -> None:
    """A workspace of one Berlin manager (`prefix`M) and `reps` reps (`prefix`R0, R1, …),
    profiles read, next to whatever workspaces the database already has."""
    rows = [
        "slack_user_id,role,manager_slack_user_id,timezone",
        f"{prefix}M,manager,,Europe/Berlin",
    ]
    rows += [f"{prefix}R{n},rep,{prefix}M,Europe/Berlin" for n in range(reps)]
    entries = parse_roster_csv("\n".join(rows) + "\n")
    for entry in entries:
        sandbox.add_user(entry.slack_user_id, entry.slack_user_id, "Europe/Berlin")
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, deps.clock())
        await apply_roster(store, workspace, entries, deps.clock())
        await mark_profiles_read(session, workspace.id, deps.clock())


async def start_tick(
    database_url: str, sandbox: SlackSandbox, now: datetime = MONDAY_0900_BERLIN, **env: str
) -> asyncio.subprocess.Process:
    """`coach tick --now …` as its own OS process, as cron or a replica runs it."""
    settings = {
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": sandbox.api_url,
        "COACH_SCHEDULER": "off",
        "COACH_SEND_START_PER_MINUTE": "100000",  # the sandbox sets no limit unless told
        "COACH_SEND_RATE_PER_MINUTE": "100000",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "tick",
        "--now",
        now.isoformat(),
        env=coach_env(database_url, **(settings | env)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout_s: float = 240) -> tuple[int, str]:
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
    return process.returncode or 0, (out + err).decode()


async def run_tick(database_url: str, sandbox: SlackSandbox, **env: str) -> tuple[int, str]:
    return await finish(await start_tick(database_url, sandbox, **env))


def prompts_posted(sandbox: SlackSandbox) -> Counter[str]:
    """Rep id → how many chat.postMessage calls reached them."""
    return Counter(
        call.args["channel"]
        for call in sandbox.calls_to("chat.postMessage", ok_only=True)
        if str(call.args.get("channel", "")).startswith(REP_PREFIX)
    )


async def prompt_statuses(deps: Deps) -> dict[DeliveryStatus, int]:
    async with deps.db() as session:
        rows = await session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.kind == Step.REP_PROMPT)
            .group_by(Delivery.status)
        )
    return {status: count for status, count in rows.all()}


async def prompt_errors(deps: Deps) -> Counter[str | None]:
    async with deps.db() as session:
        errors = await session.scalars(
            select(Delivery.error).where(
                Delivery.kind == Step.REP_PROMPT, Delivery.status != DeliveryStatus.SENT
            )
        )
    return Counter(errors.all())


async def assert_each_rep_prompted_once(deps: Deps, sandbox: SlackSandbox, reps: int) -> None:
    in_slack = sandbox.deliveries()
    doubled = sorted(delivery for delivery, count in in_slack.items() if count > 1)
    statuses = await prompt_statuses(deps)
    assert (len(in_slack), doubled, statuses) == (reps, [], {DeliveryStatus.SENT: reps}), (
        f"not exactly one prompt each: {len(in_slack)} of {reps} reps in Slack, posted twice: "
        f"{doubled[:10]} ({len(doubled)}), rows by status: {statuses}, unsent rows' errors: "
        f"{await prompt_errors(deps)}"
    )
