"""An admin connects Gong from the App Home: the key is stored sealed, the next tick tries
it, and the Home says whether it works. Nobody else may, and bad input changes nothing."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import system_clock
from app.db.recorder_tables import RecordedCall, RecorderConnection, RecorderPerson
from app.deps import Deps
from app.sandbox.driver import SlackDriver, typed
from app.sandbox.gong import GongSandbox
from app.sandbox.server import SlackSandbox
from tests.support.factories import sealing_install
from tests.support.outboxes import Outboxes
from tests.support.slack_answers import home_text

HOME = {"ts": "1.0", "blocks": []}  # the App Home's button, as Slack sends it
FORM = "recorder_connect_open"


@pytest.fixture
async def deps(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    async with sealing_install(database_url, sandbox) as built:
        yield built


@pytest.fixture
async def gong() -> AsyncIterator[GongSandbox]:
    box = GongSandbox(access_key="AK-4821", access_key_secret="s3cr3t-value-never-shown")
    await box.start()
    monday = datetime.combine(date.today() - timedelta(days=date.today().weekday()), time(), UTC)
    for email in ("ana@example.com", "ben@example.com"):
        user = box.add_user(email)
        box.seed_week(user, monday - timedelta(weeks=2), 3, random.Random(email))
    yield box
    await box.stop()


def form(url: str, key: str, secret: str) -> dict[str, dict[str, dict[str, str]]]:
    return {"api_url": typed(url), "access_key": typed(key), "access_key_secret": typed(secret)}


async def count(deps: Deps, table: type) -> int:
    async with deps.db() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def stored(deps: Deps) -> RecorderConnection | None:
    async with deps.db() as session:
        return await session.scalar(select(RecorderConnection))


async def test_an_admin_connects_gong_and_the_home_says_it_works(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox, gong: GongSandbox, outboxes: Outboxes
) -> None:
    view = await driver.open_modal("U0ADMIN", HOME, FORM, "edit")
    assert [b.get("block_id") for b in view["blocks"][1:]] == [
        "api_url",
        "access_key",
        "access_key_secret",
    ]
    bad = await driver.submit("U0ADMIN", view, form("gong.example.com", "AK 1", ""))
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"api_url", "access_key", "access_key_secret"}
    assert await stored(deps) is None

    # Someone else's forged submission is refused, and nothing is stored.
    forged = await driver.submit("U0MGRA", view, form(gong.base_url, "AK-4821", "x"))
    assert "Only a coach admin" in str(forged.json())
    assert await stored(deps) is None

    saved = await driver.submit(
        "U0ADMIN", view, form(gong.base_url, gong.access_key, gong.access_key_secret)
    )
    assert "Gong's key is stored, sealed." in str(saved.json())
    row = await stored(deps)
    assert row is not None and row.api_url == gong.base_url and row.status == "unchecked"
    assert row.access_key and row.access_key.startswith("aesgcm:k1:")
    assert gong.access_key_secret not in f"{row.access_key}{row.access_key_secret}"

    report = await outboxes(deps, "test").read_recorders(system_clock())
    assert report.connections == 1 and report.problems == {}
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert "Call recorder:* Gong is connected: 2 people matched by email." in home
    assert "Not found in Gong by email (1): @U0REPB1." in home
    assert gong.access_key_secret not in home

    # The form shows the stored URL again, never the key.
    again = await driver.open_modal("U0ADMIN", HOME, FORM, "edit")
    assert gong.base_url in str(again) and gong.access_key not in str(again)

    # Disconnecting forgets the key, the calls and the matches; only an admin may.
    calls = await count(deps, RecordedCall)
    assert calls > 0
    since = len(sandbox.state.responses)
    await driver.click("U0MGRA", "recorder_disconnect", "disconnect", message=HOME)
    assert "Only a coach admin" in (await sandbox.wait_for_response(since=since))["text"]
    assert await count(deps, RecordedCall) == calls
    since = len(sandbox.state.responses)
    await driver.click("U0ADMIN", "recorder_disconnect", "disconnect", message=HOME)
    told = (await sandbox.wait_for_response(since=since))["text"]
    assert told.startswith(f"Gong is disconnected: its key and the {calls} calls")
    assert await count(deps, RecordedCall) == 0 and await count(deps, RecorderPerson) == 0
    row = await stored(deps)
    assert row is not None and row.status == "disconnected" and row.access_key is None
    assert "Call recorder" not in await home_text(sandbox, driver, "U0ADMIN")


async def test_only_an_admin_may_open_the_gong_form(
    driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    since = len(sandbox.state.responses)
    await driver.click("U0MGRA", FORM, "edit", message=HOME)
    assert "Only a coach admin" in (await sandbox.wait_for_response(since=since))["text"]
