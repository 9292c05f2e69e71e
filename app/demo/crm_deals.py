"""The demo's CRM: the HubSpot stand-in (or, with `coach demo --crm salesforce`, the
Salesforce one, logged into with a key pair made for the run) holding the sample reps'
open deals (Dev sells from a spreadsheet, so the CRM has no deals of his). Ana picks hers
from it on Monday; the drill is written back on the deal she picked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from app.demo.narration import Transcript
from app.demo.team import ANA, BEN, BY_ID, CHEN, EVE
from app.sandbox.hubspot import HubSpotSandbox
from app.sandbox.salesforce import SalesforceSandbox

# (rep, deal, stage, amount, close date in days from Monday, changed days before Monday);
# the stage as the progress through the pipeline, 0 the first open stage, "won" closed won
OPEN_DEALS: tuple[tuple[str, str, int | str, int, int, int], ...] = (
    (ANA, "Acme renewal", 4, 40_000, 12, 2),
    (ANA, "Globex expansion", 1, 25_000, 40, 5),
    (BEN, "Umbrella platform", 2, 60_000, 30, 3),
    (BEN, "Globex pilot", 0, 8_000, 55, 6),
    (CHEN, "Initech", 3, 32_000, 18, 1),
    (EVE, "Hooli analytics", 1, 15_000, 45, 4),
    (ANA, "Vandelay", "won", 12_000, -30, 30),  # closed last month: never offered
)
PICKED = "Acme renewal"  # what Ana picks in Monday's form
HUBSPOT_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
SALESFORCE_STAGES = (
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Proposal/Price Quote",
)
CONSUMER_KEY = "3MVG9demoConsumerKey.acme"
INTEGRATION_USER = "coach@acme.example"


@dataclass
class DemoCrm:
    name: str
    url: str
    settings: dict[str, Any]  # what the bot's Settings need to reach it
    deals: int
    records: Callable[[], list[tuple[str, list[Any], list[Any]]]]  # (deal, drills, checks)
    stop: Callable[[], Awaitable[None]]


def _days(monday: datetime, days: int) -> datetime:
    return monday + timedelta(days=days)


async def sample_hubspot(monday: datetime) -> DemoCrm:
    """The HubSpot stand-in, started, with the deals above."""
    # Acme's limits, raised for a week that passes in seconds
    box = HubSpotSandbox(token="pat-na1-demo-token", per_ten_seconds=2_000, search_per_second=200)
    await box.start()
    owners = {
        rep: box.add_owner(BY_ID[rep].email, BY_ID[rep].name, "Rep")
        for rep in dict.fromkeys(row[0] for row in OPEN_DEALS)
    }
    for rep, name, stage, amount, closes_in, changed in OPEN_DEALS:
        box.add_deal(
            owners[rep],
            name,
            "closedwon" if stage == "won" else HUBSPOT_STAGES[int(stage)],
            amount,
            _days(monday, closes_in).date(),
            modified_at=_days(monday, -changed),
        )

    def records() -> list[tuple[str, list[Any], list[Any]]]:
        return [
            (
                str(deal.properties["dealname"]),
                box.writes_to(deal.id, "coaching_drill_this_week"),
                box.writes_to(deal.id, "drill_recorded"),
            )
            for deal in box.deals.values()
        ]

    settings = {"hubspot_token": SecretStr(box.token), "hubspot_api_url": box.base_url}
    return DemoCrm("HubSpot", box.base_url, settings, len(box.deals), records, box.stop)


async def sample_salesforce(monday: datetime, workdir: Path) -> DemoCrm:
    """The Salesforce stand-in, started: a connected app holding the certificate of a key
    made for this run (written to `workdir`), its integration user, and the deals above."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_file = workdir / "salesforce-demo.key"
    key_file.write_bytes(private)
    org = SalesforceSandbox()
    org.add_connected_app(CONSUMER_KEY, public)
    org.add_user(INTEGRATION_USER, "Coach Integration")
    await org.start()
    owners = {
        rep: org.add_user(BY_ID[rep].email, BY_ID[rep].name)
        for rep in dict.fromkeys(row[0] for row in OPEN_DEALS)
    }
    for rep, name, stage, amount, closes_in, changed in OPEN_DEALS:
        org.add_opportunity(
            owners[rep],
            name,
            "Closed Won" if stage == "won" else SALESFORCE_STAGES[int(stage)],
            amount,
            _days(monday, closes_in).date(),
            modified_at=_days(monday, -changed),
        )

    def records() -> list[tuple[str, list[Any], list[Any]]]:
        return [
            (
                str(row["Name"]),
                org.writes_to(opp_id, "Coaching_Drill_This_Week__c"),
                org.writes_to(opp_id, "Drill_Recorded__c"),
            )
            for opp_id, row in org.opportunities.items()
        ]

    settings = {
        "salesforce_login_url": org.base_url,
        "salesforce_client_id": CONSUMER_KEY,
        "salesforce_username": INTEGRATION_USER,
        "salesforce_private_key_file": str(key_file),
    }
    return DemoCrm("Salesforce", org.base_url, settings, len(org.opportunities), records, org.stop)


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def show_crm(show: Transcript, crm: DemoCrm) -> None:
    """What the CRM's records say after the week, and how often coach wrote each field."""
    untouched = 0
    for name, drills, checks in crm.records():
        if not (drills or checks):
            untouched += 1
            continue
        checked = str(checks[-1]).lower() if checks else ""
        show.line(
            f"{crm.name}'s “{name}”: Coaching Drill This Week = “{drills[-1] if drills else ''}” "
            f"(written {times(len(drills))}), Drill Recorded = {checked} (written "
            f"{times(len(checks))}: with the drill, then with the recording)."
        )
    show.line(f"coach wrote nothing on the other {untouched} deals.")
