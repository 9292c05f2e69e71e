"""`coach crm check` and `coach crm setup` against the stand-ins, as their own processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.deps import Deps
from app.sandbox.hubspot import HubSpotSandbox
from tests.e2e.test_gong_client import coach
from tests.support.factories import seed_org
from tests.support.processes import coach_env
from tests.support.salesforce_org import CONSUMER_KEY, USERNAME, key_pair


@pytest.fixture
async def hubspot() -> AsyncIterator[HubSpotSandbox]:
    box = HubSpotSandbox(with_coach_properties=False)
    await box.start()
    yield box
    await box.stop()


async def test_crm_check_then_setup_creates_the_hubspot_properties(
    deps: Deps, database_url: str, hubspot: HubSpotSandbox
) -> None:
    await seed_org(deps)
    for email in ("ana@example.com", "maya@example.com", "nobody@example.com"):
        hubspot.add_owner(email)
    env = coach_env(database_url, HUBSPOT_TOKEN=hubspot.token, HUBSPOT_API_URL=hubspot.base_url)
    code, out, err = await coach("crm", "check", env=env)
    assert code == 1 and out == ""
    assert err.strip() == (
        "HubSpot works: the write-back fields coaching_drill_this_week, drill_recorded are "
        "missing (run `coach crm setup` to create them), and 2 of the 7 people on the roster "
        "matched a deal owner by email."
    )
    code, out, err = await coach("crm", "setup", env=env)
    assert code == 0, err
    assert out.strip() == (
        "Created the HubSpot deal properties coaching_drill_this_week, drill_recorded."
    )
    assert {"coaching_drill_this_week", "drill_recorded"} <= set(hubspot.properties)
    code, out, err = await coach("crm", "setup", env=env)
    assert code == 0 and "already exist" in out
    code, out, err = await coach("crm", "check", env=env)
    assert code == 0, err
    assert out.startswith("HubSpot works: both write-back fields exist, and 2 of the 7")

    code, out, err = await coach("crm", "check", env={**env, "HUBSPOT_TOKEN": "pat-na1-wrong"})
    assert code == 1 and out == ""
    assert err.startswith("HubSpot refused coach's credentials") and "HUBSPOT_TOKEN" in err
    assert hubspot.token not in out + err and "pat-na1-wrong" not in err


async def test_crm_setup_prints_the_salesforce_fields_and_bad_settings_say_what_to_do(
    deps: Deps, database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "key.pem"
    key.write_text(key_pair().private_pem)
    env = coach_env(
        database_url,
        SALESFORCE_CLIENT_ID=CONSUMER_KEY,
        SALESFORCE_USERNAME=USERNAME,
        SALESFORCE_PRIVATE_KEY_FILE=str(key),
    )
    code, out, err = await coach("crm", "setup", env=env)
    assert code == 0, err
    assert "Coaching_Drill_This_Week__c" in out and "Drill_Recorded__c" in out
    assert "BEGIN" not in out + err  # never the key
    code, _, err = await coach("crm", "check", env=coach_env(database_url))
    assert code == 1 and err.startswith("Set SALESFORCE_CLIENT_ID")
    code, _, err = await coach(
        "crm", "check", env={**env, "SALESFORCE_PRIVATE_KEY_FILE": str(tmp_path / "missing")}
    )
    assert code == 1 and "SALESFORCE_PRIVATE_KEY_FILE cannot be read" in err
    code, _, err = await coach("crm", "check", env={**env, "HUBSPOT_TOKEN": "pat-x"})
    assert code == 1 and "Connect one CRM" in err
