"""Test data and what puts it in place: the sample org, settings, seeding, counting rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import system_clock
from app.config import Settings
from app.db.base import Base
from app.db.models import Person
from app.db.store import Store
from app.deps import Deps
from app.sandbox.server import SlackSandbox
from app.services.roster import apply_roster, parse_roster_csv
from app.token_cipher import new_key_line

SIGNING_SECRET = "test-signing-secret"


TEAM_ID = "T0SANDBOX"


# A small org used across tests: director > two managers > reps, plus an admin.
ORG_CSV = """slack_user_id,role,manager_slack_user_id,email,timezone
U0DIR,director,,dana@example.com,America/New_York
U0MGRA,manager,U0DIR,maya@example.com,America/Los_Angeles
U0MGRB,manager,U0DIR,omar@example.com,Europe/Berlin
U0REPA1,rep,U0MGRA,ana@example.com,America/Los_Angeles
U0REPA2,rep,U0MGRA,ben@example.com,America/New_York
U0REPB1,rep,U0MGRB,chen@example.com,Europe/Berlin
U0ADMIN,admin,,ira@example.com,UTC
"""


ORG_TZ = {
    "U0DIR": "America/New_York",
    "U0MGRA": "America/Los_Angeles",
    "U0MGRB": "Europe/Berlin",
    "U0REPA1": "America/Los_Angeles",
    "U0REPA2": "America/New_York",
    "U0REPB1": "Europe/Berlin",
    "U0ADMIN": "UTC",
    "U0STRANGER": "Asia/Kolkata",
}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


async def empty_tables(deps: Deps) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    async with deps.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


def make_settings(
    database_url: str, sandbox: SlackSandbox | None = None, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "slack_bot_token": sandbox.bot_token if sandbox else "xoxb-test",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": sandbox.api_url if sandbox else "http://127.0.0.1:9/api/",
        "coach_scheduler": "off",
        # The sandbox enforces no limit unless a test sets one; pacing tests lower this.
        "coach_send_start_per_minute": 100_000,  # tests measure coach, not the pace's climb
        "coach_send_rate_per_minute": 100_000,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "slack_state_secret": None,
        "coach_token_keys": None,
        # Trend charts are drawn where a test looks at them (settings={"coach_charts": "on"}):
        # elsewhere they would only cost each digest a PNG.
        "coach_charts": "off",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def seed_org(
    deps: Deps, csv_text: str = ORG_CSV, *, team_id: str = TEAM_ID, profiles_read: bool = True
) -> None:
    """The roster imported; with `profiles_read`, as `coach roster import` leaves it when it
    read everyone's Slack profile (the file's time zones are theirs): planned from the start."""
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, deps.clock())
        await apply_roster(store, workspace, parse_roster_csv(csv_text), deps.clock())
        if profiles_read:
            await mark_profiles_read(session, workspace.id, deps.clock())


async def mark_profiles_read(session: AsyncSession, workspace_id: int, now: datetime) -> None:
    await session.execute(
        update(Person)
        .where(Person.workspace_id == workspace_id)
        .values(profile_synced_at=now, profile_checked_at=now)
    )


async def count_rows(deps: Deps) -> dict[str, int]:
    counts = {}
    async with deps.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(text(f"SELECT COUNT(*) FROM {table.name}"))
            counts[table.name] = int(result.scalar_one())
    return counts


@asynccontextmanager
async def sealing_install(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    """The bot of an install that seals what it stores (COACH_TOKEN_KEYS set), on the real
    clock, with the small org seeded and no outside system set in the environment."""
    settings = make_settings(database_url, sandbox, coach_token_keys=new_key_line("k1"))
    built = Deps.build(settings, system_clock)
    await empty_tables(built)
    await seed_org(built)
    try:
        yield built
    finally:
        await built.close()
