"""An admin connects the workspace's CRM from the App Home (OAuth mode: each workspace its
own company): the secret is stored sealed, the next tick tries it, and the Home and
`/coach status` say whether it works, whom it matched and how the write-backs went.
Nobody else may, bad input changes nothing, and disconnecting forgets what was read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import system_clock
from app.db.crm_tables import CrmConnection, CrmDealRow, CrmPerson
from app.db.ledger import Ledger, Planned
from app.db.store import Store
from app.deps import Deps
from app.rules import calendar
from app.rules.types import Step
from app.sandbox.driver import SlackDriver, typed
from app.sandbox.harness import RunningBot
from app.sandbox.hubspot import HubSpotSandbox
from app.sandbox.salesforce import SalesforceSandbox
from app.sandbox.server import SlackSandbox
from tests.support.factories import TEAM_ID, sealing_install
from tests.support.outboxes import Outboxes
from tests.support.salesforce_org import CONSUMER_KEY, USERNAME, key_pair, set_up
from tests.support.slack_answers import home_text

HOME = {"ts": "1.0", "blocks": []}  # the App Home's button, as Slack sends it
HUBSPOT_FORM, SALESFORCE_FORM = "crm_hubspot_open", "crm_salesforce_open"
DISCONNECT = "crm_disconnect"


@pytest.fixture
async def deps(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    async with sealing_install(database_url, sandbox) as built:
        yield built


@pytest.fixture
async def hubspot() -> AsyncIterator[HubSpotSandbox]:
    box = HubSpotSandbox(token="pat-na1-0a1b2c3d-never-shown")
    await box.start()
    for email in ("ana@example.com", "ben@example.com"):
        owner = box.add_owner(email)
        box.add_deal(owner, f"Deal of {email}", "appointmentscheduled", 10_000)
    yield box
    await box.stop()


@pytest.fixture
async def salesforce() -> AsyncIterator[SalesforceSandbox]:
    org = SalesforceSandbox()
    set_up(org)
    await org.start()
    org.add_user("ana@example.com", "Ana Rep")
    yield org
    await org.stop()


async def stored(deps: Deps) -> CrmConnection | None:
    async with deps.db() as session:
        return await session.scalar(select(CrmConnection))


async def count(deps: Deps, table: type) -> int:
    async with deps.db() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def sync(deps: Deps, bot: RunningBot, outboxes: Outboxes) -> None:
    """The tick's CRM sync, once the bot has finished reacting to the form (its App Home
    refresh rendered during the sync would show the state from before it)."""
    await bot.settle()
    report = await outboxes(deps, "test").crm.run(system_clock())
    assert report.sync.connections == 1


async def status(driver: SlackDriver) -> str:
    return str((await driver.command("U0ADMIN", "/coach", "status")).json())


def hubspot_form(url: str, token: str) -> dict[str, dict[str, dict[str, str]]]:
    return {"crm_api_url": typed(url), "crm_token": typed(token)}


def salesforce_form(
    url: str, client_id: str, username: str, key: str
) -> dict[str, dict[str, dict[str, str]]]:
    return {
        "crm_api_url": typed(url),
        "crm_client_id": typed(client_id),
        "crm_username": typed(username),
        "crm_private_key": typed(key),
    }


async def test_an_admin_connects_hubspot_and_the_home_says_it_works(
    driver: SlackDriver,
    bot: RunningBot,
    deps: Deps,
    sandbox: SlackSandbox,
    hubspot: HubSpotSandbox,
    outboxes: Outboxes,
) -> None:
    assert "Connect HubSpot" in await home_text(sandbox, driver, "U0ADMIN")
    view = await driver.open_modal("U0ADMIN", HOME, HUBSPOT_FORM, "edit")
    assert [b.get("block_id") for b in view["blocks"][1:]] == ["crm_api_url", "crm_token"]
    bad = await driver.submit("U0ADMIN", view, hubspot_form("api.hubapi.com", "pat na1"))
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"crm_api_url", "crm_token"}
    assert await stored(deps) is None

    # Someone else's forged submission is refused, and nothing is stored.
    forged = await driver.submit("U0MGRA", view, hubspot_form(hubspot.base_url, hubspot.token))
    assert "Only a coach admin can connect the CRM" in str(forged.json())
    assert await stored(deps) is None

    saved = await driver.submit("U0ADMIN", view, hubspot_form(hubspot.base_url, hubspot.token))
    assert "HubSpot's keys are stored, sealed." in str(saved.json())
    row = await stored(deps)
    assert row is not None and row.provider == "hubspot" and row.status == "unchecked"
    assert row.api_url == hubspot.base_url and row.secret and row.secret.startswith("aesgcm:k1:")
    assert hubspot.token not in row.secret

    await sync(deps, bot, outboxes)
    assert hubspot.requests and all(r.status == 200 for r in hubspot.requests)
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert (
        "*CRM:* HubSpot is connected: 2 of the 7 people on the roster matched a deal owner "
        "by email." in home
    )
    assert "No HubSpot deal owner by email (1): @U0REPB1." in home
    assert "Disconnect HubSpot" in home and hubspot.token not in home
    assert "HubSpot is connected: 2 of the 7 people" in await status(driver)

    # The form shows the stored URL again, never the token.
    again = await driver.open_modal("U0ADMIN", HOME, HUBSPOT_FORM, "edit")
    assert hubspot.base_url in str(again) and hubspot.token not in str(again)

    # Disconnecting forgets the keys, the deals and the matches; only an admin may.
    assert await count(deps, CrmDealRow) == 2 and await count(deps, CrmPerson) > 0
    since = len(sandbox.state.responses)
    await driver.click("U0MGRA", DISCONNECT, "disconnect", message=HOME)
    assert "Only a coach admin" in (await sandbox.wait_for_response(since=since))["text"]
    assert await count(deps, CrmDealRow) == 2
    since = len(sandbox.state.responses)
    await driver.click("U0ADMIN", DISCONNECT, "disconnect", message=HOME)
    told = (await sandbox.wait_for_response(since=since))["text"]
    assert told.startswith("The CRM is disconnected: its keys and every deal")
    assert await count(deps, CrmDealRow) == 0 and await count(deps, CrmPerson) == 0
    row = await stored(deps)
    assert row is not None and row.status == "disconnected" and row.secret is None
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert "*CRM:*" not in home and "Connect Salesforce" in home


async def test_an_admin_connects_salesforce_and_a_wrong_key_is_named(
    driver: SlackDriver,
    bot: RunningBot,
    deps: Deps,
    sandbox: SlackSandbox,
    salesforce: SalesforceSandbox,
    outboxes: Outboxes,
) -> None:
    view = await driver.open_modal("U0ADMIN", HOME, SALESFORCE_FORM, "edit")
    assert [b.get("block_id") for b in view["blocks"][1:5]] == [
        "crm_api_url",
        "crm_client_id",
        "crm_username",
        "crm_private_key",
    ]
    assert "https://login.salesforce.com" in str(view)  # the production login host
    bad = await driver.submit(
        "U0ADMIN", view, salesforce_form(salesforce.base_url, "key with spaces", "nobody", "x")
    )
    assert set(bad.json()["errors"]) == {"crm_client_id", "crm_username", "crm_private_key"}
    assert await stored(deps) is None

    # A key the connected app doesn't hold: stored (it is a key), refused at login.
    other = key_pair("not-the-apps").private_pem
    form = salesforce_form(salesforce.base_url, CONSUMER_KEY, USERNAME, other)
    saved = await driver.submit("U0ADMIN", view, form)
    assert "Salesforce's keys are stored, sealed." in str(saved.json())
    await sync(deps, bot, outboxes)
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert "*CRM:* Salesforce refused the login (invalid_grant" in home
    assert "deals are off until an admin enters working ones (App Home)" in home

    # The right key: connected, and the form starts from what was stored (never the key).
    again = await driver.open_modal("U0ADMIN", HOME, SALESFORCE_FORM, "edit")
    assert CONSUMER_KEY in str(again) and USERNAME in str(again)
    assert other.splitlines()[1] not in str(again)
    right = salesforce_form(salesforce.base_url, CONSUMER_KEY, USERNAME, key_pair().private_pem)
    assert "stored, sealed" in str((await driver.submit("U0ADMIN", again, right)).json())
    row = await stored(deps)
    assert row is not None and row.secret and "PRIVATE KEY" not in row.secret
    await sync(deps, bot, outboxes)
    home = await home_text(sandbox, driver, "U0ADMIN")
    assert "Salesforce is connected: 1 of the 7 people on the roster matched" in home
    assert "Change Salesforce's keys" in home


async def test_only_an_admin_may_open_the_crm_forms(
    driver: SlackDriver, sandbox: SlackSandbox
) -> None:
    for form in (HUBSPOT_FORM, SALESFORCE_FORM):
        since = len(sandbox.state.responses)
        await driver.click("U0MGRA", form, "edit", message=HOME)
        told = (await sandbox.wait_for_response(since=since))["text"]
        assert "Only a coach admin can connect the CRM" in told
    assert "Connect HubSpot" not in await home_text(sandbox, driver, "U0MGRA")


async def test_status_counts_messages_and_write_backs_apart(
    driver: SlackDriver, deps: Deps, hubspot: HubSpotSandbox
) -> None:
    view = await driver.open_modal("U0ADMIN", HOME, HUBSPOT_FORM, "edit")
    await driver.submit("U0ADMIN", view, hubspot_form(hubspot.base_url, hubspot.token))
    now = system_clock()
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(TEAM_ID, now)
        rep = await store.person(workspace.id, "U0REPB1")
        assert rep is not None
        cycle = calendar.cycle_week(now.date())
        expires = now + timedelta(days=28)
        planned = Planned(workspace.id, rep.id, Step.CRM_DRILL_SET, cycle, now, expires)
        await Ledger(session).plan([planned], now)
    said = await status(driver)
    assert "0 sent · 0 waiting · 0 failed · 0 skipped" in said  # no message is a write-back
    assert "Drill write-backs in the last 7 days: 0 written, 1 waiting for HubSpot." in said
