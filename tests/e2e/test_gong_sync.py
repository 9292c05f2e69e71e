"""Reading Gong within its limits and never at the week's expense: three replicas together
stay under 3 requests a second; a refused key switches Gong off with one sentence for the
admin while the prompts go out; an outage is retried later; no Gong secret is logged."""

from __future__ import annotations

import asyncio
import base64
import functools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.config import RecorderCredentials
from app.db.recorder_tables import RecordedCall, RecorderConnection
from app.db.store import Store
from app.deps import Deps
from app.recorder.gong import GongRecorder
from app.recorder.pace import SharedPace
from app.recorder.sync import gong_recorder, sync_recorders
from app.rules.call_stats import Window
from app.sandbox.driver import SlackDriver
from app.sandbox.gong import GongSandbox
from app.sandbox.server import SlackSandbox
from tests.support.factories import ORG_CSV, TEAM_ID, make_settings, seed_org
from tests.support.log_capture import Capture
from tests.support.outboxes import Outboxes

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
REPS = {"U0REPA1": "ana@example.com", "U0REPA2": "ben@example.com", "U0REPB1": "chen@example.com"}


def seeded(box: GongSandbox) -> GongSandbox:
    rng = random.Random(7)
    for email in REPS.values():
        user = box.add_user(email)
        for weeks in range(1, 6):
            box.seed_week(user, MONDAY - timedelta(weeks=weeks), 3, rng)
    return box


@pytest.fixture
async def gong() -> AsyncIterator[GongSandbox]:
    """A company whose Gong limit was raised to 30 a second (coach keeps to 20): these
    tests are about what happens, not about the pace (the replicas test is)."""
    box = seeded(GongSandbox(per_second=30))
    await box.start()
    yield box
    await box.stop()


def gong_settings(gong: GongSandbox, **overrides: object) -> dict[str, object]:
    return {
        "gong_api_url": gong.base_url,
        "gong_access_key": overrides.get("key", gong.access_key),
        "gong_access_key_secret": overrides.get("secret", gong.access_key_secret),
        "gong_requests_per_second": overrides.get("per_second", 20),
    }


@pytest.fixture
async def world(
    database_url: str, sandbox: SlackSandbox, gong: GongSandbox, deps: Deps
) -> AsyncIterator[Deps]:
    clock = FrozenClock(MONDAY + timedelta(hours=9, minutes=30))  # 09:30 in Berlin
    built = Deps.build(make_settings(database_url, sandbox, **gong_settings(gong)), clock)
    await seed_org(built, ORG_CSV)
    yield built
    await built.close()


async def connection(deps: Deps) -> RecorderConnection:
    async with deps.db() as session:
        row = await session.scalar(select(RecorderConnection))
    assert row is not None
    return row


async def stored_calls(deps: Deps) -> int:
    async with deps.db() as session:
        return int(await session.scalar(select(func.count()).select_from(RecordedCall)) or 0)


async def coach_status(driver: SlackDriver, user: str) -> str:
    fields = parse_qs(driver.command_body(user, "/coach", "status").decode())
    fields["team_id"] = [TEAM_ID]
    answer = await driver.send_command(urlencode(fields, doseq=True).encode())
    return str(answer.json()["text"])


async def test_a_refused_key_switches_gong_off_and_the_week_goes_on(
    world: Deps,
    gong: GongSandbox,
    sandbox: SlackSandbox,
    driver: SlackDriver,
    deps: Deps,
    outboxes: Outboxes,
) -> None:
    gong.access_key_secret = "rotated-in-gong"  # the key coach has no longer works
    outbox = outboxes(world, "replica-a")
    report = await outbox.tick()
    assert report.recorder.problems == {"http_401": 1}
    assert report.outcomes["sent"] >= 1  # Berlin's prompt went out all the same
    prompt = str(sandbox.messages_to("U0REPB1")[-1].as_slack())
    assert "Gong has" not in prompt  # not "no calls": coach could not read them
    row = await connection(world)
    assert (row.status, row.problem) == ("refused", "http_401")
    asked = len(gong.requests)
    await outbox.tick(world.clock() + timedelta(hours=2))
    assert len(gong.requests) == asked  # off until the credentials change

    deps.clock = world.clock  # the bot answers /coach status on the same week
    text = await coach_status(driver, "U0ADMIN")
    assert "Gong refused coach's access key (revoked or wrong): calls are off until" in text
    assert "GONG_ACCESS_KEY" in text

    # New credentials (the admin fixed GONG_*): coach tries again, and reads the calls.
    fixed_settings = gong_settings(gong, secret="rotated-in-gong")
    fixed = Deps.build(
        make_settings(world.settings.database_url, sandbox, **fixed_settings), world.clock
    )
    try:
        again = await outboxes(fixed, "replica-a").tick()
    finally:
        await fixed.close()
    assert again.recorder.problems == {}
    assert (await connection(world)).status == "ok" and await stored_calls(world) > 0


async def test_gong_down_the_prompts_go_out_and_coach_tries_again_later(
    world: Deps, gong: GongSandbox, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    gong.go_down(503)
    outbox = outboxes(world, "replica-a")
    report = await outbox.tick()
    assert report.recorder.problems == {"http_503": 1} and report.outcomes["sent"] >= 1
    row = await connection(world)
    assert row.status == "failing" and row.next_sync_at is not None
    gong.come_back()
    asked = len(gong.requests)
    await outbox.tick(world.clock() + timedelta(minutes=5))  # too soon: not asked
    assert len(gong.requests) == asked
    assert await stored_calls(world) == 0
    later = await outbox.tick(world.clock() + timedelta(minutes=11))
    assert later.recorder.problems == {} and await stored_calls(world) > 0
    assert (await connection(world)).status == "ok"


async def test_three_replicas_stay_under_three_requests_a_second(
    world: Deps, gong: GongSandbox, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    """Measured in the stand-in: every request received (429s too) in any one second."""
    replicas = [
        Deps.build(world.settings, world.clock) for _ in range(3)
    ]  # each its own engine, as three processes would have
    try:
        async with world.db.begin() as session:
            workspace = await Store(session).ensure_workspace(TEAM_ID, world.clock())
        small = GongSandbox(page_size=1)
        await small.start()
        user = small.add_user("rep@example.com")
        week = Window(MONDAY - timedelta(days=7), MONDAY)
        for n in range(4):
            small.add_call(user, week.start + timedelta(days=n, hours=15))
        credentials = RecorderCredentials(small.base_url, small.access_key, small.access_key_secret)

        async def read(replica: Deps) -> int:
            recorder = GongRecorder(credentials, SharedPace(replica.db, workspace.id))
            try:
                return len(
                    [c async for page in recorder.call_pages([user], week) for c in page.items]
                )
            finally:
                await recorder.close()

        found = await asyncio.gather(*(read(r) for r in replicas))
        await small.stop()
    finally:
        for replica in replicas:
            await replica.close()
    assert found == [4, 4, 4]
    assert len(small.requests) == 12 and all(r.status == 200 for r in small.requests)
    assert small.max_in_any_second() <= 3

    # And the sync itself, at Gong's own limit: three replicas ticking together read each
    # week once, and together stay under 3 requests a second.
    plain = seeded(GongSandbox())
    await plain.start()
    settings = make_settings(
        world.settings.database_url, sandbox, **gong_settings(plain, per_second=2)
    )
    together = [Deps.build(settings, world.clock) for _ in range(3)]
    try:
        outboxes = [outboxes(d, f"replica-{n}") for n, d in enumerate(together)]
        await asyncio.gather(*(o.read_recorders(world.clock()) for o in outboxes))
    finally:
        for replica in together:
            await replica.close()
        await plain.stop()
    extensive = plain.requests_to("/v2/calls/extensive")
    # One request per zone's reps per week (three zones, five weeks on first sight).
    assert len(plain.requests_to("/v2/users")) == 1 and len(extensive) == 3 * 5
    assert plain.max_in_any_second() <= 3 and all(r.status == 200 for r in plain.requests)


async def test_no_gong_secret_reaches_the_log(
    world: Deps, gong: GongSandbox, debug_capture: Capture, outboxes: Outboxes
) -> None:
    outbox = outboxes(world, "replica-a")
    gong.rate_limit_next(count=1, retry_after=1)
    await outbox.tick()
    gong.refuse_credentials()
    async with world.db.begin() as session:
        await Store(session).update_recorder_connection(
            (await connection(world)).workspace_id, world.clock(), users_read_at=None
        )
    await outbox.tick(world.clock() + timedelta(days=1))
    token = base64.b64encode(f"{gong.access_key}:{gong.access_key_secret}".encode()).decode()
    logged = "\n".join(debug_capture.lines)
    assert "recorder refused the credentials" in logged
    for secret in (gong.access_key_secret, token):
        assert secret not in logged


async def test_a_slow_gong_delays_no_prompt(
    world: Deps, gong: GongSandbox, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    """Gong answering after the client's timeout: the prompts go out in the same tick, and
    the admin is told Gong didn't answer in time."""
    gong.slow_down(2)
    outbox = outboxes(world, "replica-a")
    outbox.recorder_for = functools.partial(gong_recorder, timeout_s=0.3)
    report = await outbox.tick()
    assert report.outcomes["sent"] >= 1 and sandbox.messages_to("U0REPB1")
    assert report.recorder.problems == {"timeout": 1}
    row = await connection(world)
    assert (row.status, row.problem) == ("failing", "timeout")
    gong.slow_down(0)


async def test_a_big_account_is_read_over_several_ticks_never_from_the_start_again(
    world: Deps, sandbox: SlackSandbox
) -> None:
    """Users at one a page and a budget of about a page a tick: each tick goes on where the
    last stopped, and the matches are whole once the last page is read."""
    small = GongSandbox(page_size=1, per_second=30)
    await small.start()
    try:
        for email in ("x1@example.com", *REPS.values(), "x2@example.com"):
            small.add_user(email)
        fields = gong_settings(small)
        reader = Deps.build(
            make_settings(world.settings.database_url, sandbox, **fields), world.clock
        )
        try:
            for _ in range(12):
                await sync_recorders(reader, world.clock(), "replica-a", budget_s=0.03)
                row = await connection(world)
                if row.users_read_at is not None:
                    break
        finally:
            await reader.close()
        users = small.requests_to("/v2/users")
        assert row.users_read_at is not None and row.users_matched == 3
        assert len(users) == 5, [r.query.get("cursor", "")[-6:] for r in users]  # each page once
        assert [r.query.get("cursor") is None for r in users] == [True] + [False] * 4
    finally:
        await small.stop()


async def test_a_rep_matched_to_someone_else_loses_the_other_persons_calls(
    world: Deps, gong: GongSandbox, outboxes: Outboxes
) -> None:
    outbox = outboxes(world, "replica-a")
    await outbox.read_recorders(world.clock())
    before = await stored_calls(world)
    assert before > 0
    async with world.db.begin() as session:
        store = Store(session)
        workspace = await store.workspace_by_team(TEAM_ID)
        assert workspace is not None
        ana = await store.person(workspace.id, "U0REPA1")
        assert ana is not None
        ana.email = "ana.new@example.com"  # now someone else's address in Gong
        await Store(session).update_recorder_connection(
            workspace.id, world.clock(), users_read_at=None
        )
    other = gong.add_user("ana.new@example.com")
    gong.seed_week(other, MONDAY - timedelta(weeks=1), 2, random.Random(3))
    await outbox.read_recorders(world.clock())
    async with world.db() as session:
        urls = set(
            await session.scalars(
                select(RecordedCall.provider_call_id).where(RecordedCall.person_id == ana.id)
            )
        )
    assert urls == {c for c, call in gong.calls.items() if call.user_id == other}


async def test_without_credentials_the_week_shows_nothing_of_gong(
    world: Deps, gong: GongSandbox, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    await outboxes(world, "replica-a").read_recorders(world.clock())
    plain = Deps.build(make_settings(world.settings.database_url, sandbox), world.clock)
    try:
        outbox = outboxes(plain, "replica-a")
        await outbox.read_recorders(world.clock())  # what the first tick without GONG_* does
        report = await outbox.tick()
        assert report.outcomes["sent"] >= 1
    finally:
        await plain.close()
    assert (await connection(world)).status == "disconnected"
    assert "Gong has" not in str(sandbox.messages_to("U0REPB1")[-1].as_slack())
