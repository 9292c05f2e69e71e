"""People's Slack profiles: read at import (users.list for many), then by the tick before
anyone is planned, at Slack's pace, and a failed read never stops anything."""

from __future__ import annotations

import asyncio
import sys
import time
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.db.models import Delivery, Person
from app.delivery import roster_import
from app.delivery.profile_reads import READ_RATE
from app.delivery.roster_import import import_roster
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.slack.client import make_web_client
from tests.support.factories import TEAM_ID, count_rows, empty_tables, make_settings, seed_org
from tests.support.outboxes import Outboxes
from tests.support.processes import coach_env

MONDAY_0900_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def roster(reps: int, *, zone: str = "") -> str:
    lines = ["slack_user_id,role,manager_slack_user_id,timezone", f"U0BOSS,manager,,{zone}"]
    lines += [f"U0P{n:04d},rep,U0BOSS,{zone}" for n in range(reps)]
    return "\n".join(lines) + "\n"


def add_people(sandbox: SlackSandbox, reps: int, tz: str = "Europe/Berlin") -> None:
    sandbox.add_user("U0BOSS", "Boss", tz)
    for n in range(reps):
        sandbox.add_user(f"U0P{n:04d}", f"Rep {n}", tz)


@pytest.fixture
async def fresh(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    """An empty database, the clock at Monday 09:00 in Berlin."""
    deps = Deps.build(make_settings(database_url, sandbox), FrozenClock(MONDAY_0900_BERLIN))
    await empty_tables(deps)
    yield deps
    await deps.close()


async def zones(deps: Deps) -> dict[str, tuple[str | None, str | None]]:
    async with deps.reads() as session:
        rows = await session.execute(select(Person.slack_user_id, Person.tz, Person.profile_error))
    return {user: (tz, error) for user, tz, error in rows.all()}


async def test_a_big_roster_is_read_in_pages_of_users_list(
    fresh: Deps, sandbox: SlackSandbox
) -> None:
    add_people(sandbox, 450)
    for n in range(300):  # others in the workspace, not on the roster
        sandbox.add_user(f"U1X{n:04d}", f"Someone {n}", "Asia/Tokyo")
    client = make_web_client(fresh.settings, sandbox.bot_token)
    report = await import_roster(fresh, roster(450), TEAM_ID, client)
    assert report.profiles is not None and report.profiles.read == 451
    assert len(sandbox.calls_to("users.info")) == 0
    # 759 members, 200 a page, the roster's people among the first 600: three pages, then
    # everyone is found and the sweep stops.
    assert len(sandbox.calls_to("users.list")) == 3
    assert set((await zones(fresh)).values()) == {("Europe/Berlin", None)}


async def test_profiles_read_at_import_are_kept_a_batch_of_records_at_a_time(
    fresh: Deps, sandbox: SlackSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_import, "PROFILE_BATCH", 100)
    add_people(sandbox, 450, tz="Asia/Tokyo")
    client = make_web_client(fresh.settings, sandbox.bot_token)
    report = await import_roster(fresh, roster(450, zone="Europe/Berlin"), TEAM_ID, client)
    assert report.profiles is not None and report.profiles.read == 451
    assert set((await zones(fresh)).values()) == {("Asia/Tokyo", None)}  # Slack's zone wins
    async with fresh.reads() as session:
        unread = await session.scalar(
            select(func.count(Person.id)).where(Person.profile_synced_at.is_(None))
        )
    assert unread == 0


async def test_the_tick_reads_profiles_before_it_plans_anyone(
    fresh: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    """Imported without Slack (no token yet): nobody is planned at a guessed zone; the first
    tick reads their profile (Berlin, though the roster says nothing) and plans them there."""
    add_people(sandbox, 3)
    await seed_org(fresh, roster(3), profiles_read=False)
    outbox = outboxes(fresh, "test")
    assert await outbox.plan(MONDAY_0900_BERLIN) == 0  # not read: not planned

    report = await outbox.tick(MONDAY_0900_BERLIN)
    assert report.profiles.read == 4
    assert report.outcomes["sent"] == 3  # the three reps' prompts, at 09:00 Berlin
    assert set((await zones(fresh)).values()) == {("Europe/Berlin", None)}


async def test_the_tick_reads_at_slacks_pace_and_waits_out_a_429(
    fresh: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    reps = 150
    add_people(sandbox, reps)
    sandbox.enforce_tiers()  # users.info: 100 a minute, as Slack's Tier 4
    await seed_org(fresh, roster(reps), profiles_read=False)
    outbox = outboxes(fresh, "test")

    first = await outbox.tick(MONDAY_0900_BERLIN)
    assert first.profiles.read == READ_RATE.burst  # one burst, no more
    assert first.profiles.waiting == 151 - READ_RATE.burst  # the rest wait, unplanned
    assert not [c for c in sandbox.calls_to("users.info") if c.status == 429]
    async with fresh.reads() as session:
        planned = await session.scalar(
            select(Delivery.id).join(Person).where(Person.profile_checked_at.is_(None))
        )
    assert planned is None  # nobody unread was planned

    calls = len(sandbox.calls_to("users.info"))
    started = time.monotonic()
    again = await outbox.tick(MONDAY_0900_BERLIN + timedelta(minutes=1))
    refilled = (time.monotonic() - started + 1) * READ_RATE.per_second  # real seconds count
    assert again.profiles.read <= refilled + 1
    assert len(sandbox.calls_to("users.info")) - calls == again.profiles.read
    assert not [c for c in sandbox.calls_to("users.info") if c.status == 429]


async def test_a_429_pauses_profile_reads_for_retry_after(
    fresh: Deps, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    add_people(sandbox, 5)
    await seed_org(fresh, roster(5), profiles_read=False)
    sandbox.rate_limit_next("users.info", retry_after=30)
    outbox = outboxes(fresh, "test")
    first = await outbox.tick(MONDAY_0900_BERLIN)
    asked = len(sandbox.calls_to("users.info"))
    assert first.profiles.read < 6 and asked >= 1
    await outbox.tick(MONDAY_0900_BERLIN + timedelta(minutes=1))
    assert len(sandbox.calls_to("users.info")) == asked  # Retry-After: 30 s of real time


async def test_a_users_info_answer_that_is_not_json_leaves_the_home_published(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps, profiles_read=False)
    sandbox.answer_html_next("users.info")
    since = sandbox.mark()
    assert (await driver.open_home("U0REPA1")).status == 200
    published = await sandbox.wait_for_call("views.publish", since=since)
    assert published.ok
    assert (await zones(deps))["U0REPA1"] == ("America/Los_Angeles", "unreachable")


async def import_cli(
    tmp_path: Path, database_url: str, sandbox: SlackSandbox, text: str
) -> tuple[int, str, str]:
    """`coach roster import` as its own process, while the sandbox answers in this one."""
    (tmp_path / "roster.csv").write_text(text)
    env = coach_env(
        database_url,
        SLACK_BOT_TOKEN=sandbox.bot_token,
        SLACK_SIGNING_SECRET="unused",
        SLACK_API_URL=sandbox.api_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "roster",
        "import",
        "roster.csv",
        env=env,
        cwd=tmp_path,
        stdout=PIPE,
        stderr=PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_an_email_slack_does_not_know_is_a_line_numbered_error_and_nothing_changes(
    fresh: Deps, sandbox: SlackSandbox, database_url: str, tmp_path: Path
) -> None:
    sandbox.add_user("U0BOSS", "Boss", "Europe/Berlin", email="boss@acme.example")
    text = "slack_user_id,role,manager_slack_user_id,email\n"
    text += ",manager,,boss@acme.example\n,rep,boss@acme.example,nobody@acme.example\n"
    before = await count_rows(fresh)
    code, _, stderr = await import_cli(tmp_path, database_url, sandbox, text)
    assert code == 1
    assert stderr.splitlines() == [
        "roster.csv line 3: Slack has no user with the email nobody@acme.example: check the "
        "address, or give their slack_user_id instead",
        "Nothing was imported: fix the 1 problem above and run the import again.",
    ]
    assert await count_rows(fresh) == before


async def test_the_cli_imports_people_by_email_with_their_slack_zones(
    fresh: Deps, sandbox: SlackSandbox, database_url: str, tmp_path: Path
) -> None:
    sandbox.add_user("U0BOSS", "Boss", "Europe/Berlin", email="boss@acme.example")
    sandbox.add_user("U0ANA", "Ana", "America/Los_Angeles", email="ana@acme.example")
    text = "slack_user_id,role,manager_slack_user_id,email\n"
    text += ",manager,,boss@acme.example\n,rep,boss@acme.example,ANA@acme.example\n"
    code, stdout, stderr = await import_cli(tmp_path, database_url, sandbox, text)
    assert code == 0, stderr
    assert "2 added" in stdout and "Read 2 Slack profiles" in stdout
    assert await zones(fresh) == {
        "U0BOSS": ("Europe/Berlin", None),
        "U0ANA": ("America/Los_Angeles", None),
    }
