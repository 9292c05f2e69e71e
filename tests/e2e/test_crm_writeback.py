"""The drill's write-backs of many reps go to the CRM together: one request for a batch of
rows (as many records as the CRM takes at once), each row marked on its own: a record the
CRM refuses alone fails only its rep's row, with the CRM's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.clock import FrozenClock
from app.crm.clients import crm_at
from app.db.ledger import Ledger
from app.db.models import Delivery, OneOnOne, Person, Submission
from app.db.pace import Rate
from app.db.store import Store
from app.delivery.tick import Outbox
from app.deps import Deps
from app.rules.drills import STARTING_LIBRARY
from app.rules.types import DeliveryStatus, Role, Step
from app.sandbox.hubspot import HubSpotSandbox
from app.sandbox.salesforce import SalesforceSandbox
from app.sandbox.server import SlackSandbox
from app.services.crm_writes import plan_crm_write
from tests.support.factories import empty_tables, make_settings, seed_org
from tests.support.outboxes import Outboxes
from tests.support.salesforce_org import CONSUMER_KEY, USERNAME, key_pair, set_up

WEDNESDAY = datetime(2026, 11, 25, 20, tzinfo=UTC)
CYCLE = "2026-W48"
REPS = {"U0REPA1": "ana@example.com", "U0REPA2": "ben@example.com", "U0REPB1": "chen@example.com"}
DRILL = STARTING_LIBRARY[0]


async def coached_week(deps: Deps, deals: dict[str, list[str]]) -> None:
    """Each rep's deals picked from the CRM and a held 1:1 with a drill; the write-backs
    planned as saving the notes plans them."""
    now = deps.clock()
    stamps = {"created_at": now, "updated_at": now}
    async with deps.db.begin() as session:
        store = Store(session)
        reps = [
            p
            for p in (await session.scalars(select(Person))).all()
            if p.role is Role.REP and p.slack_user_id in deals
        ]
        for rep in reps:
            key = {"person_id": rep.id, "cycle_week": CYCLE}
            picked = [
                {"name": d, "crm_id": d, "clip_url": "https://zoom.us/rec/1"}
                for d in deals[rep.slack_user_id]
            ]
            session.add(Submission(**key, deals=picked, source="modal", **stamps))
            session.add(OneOnOne(**key, held=True, options=[], drill=DRILL.as_json(), **stamps))
        await session.flush()
        for rep in reps:
            assert await plan_crm_write(store, Ledger(session), rep, Step.CRM_DRILL_SET, CYCLE, now)


async def rows(deps: Deps) -> dict[str, tuple[str, str | None]]:
    async with deps.db() as session:
        found = await session.execute(
            select(Person.slack_user_id, Delivery.status, Delivery.error)
            .join(Person, Person.id == Delivery.person_id)
            .where(Delivery.kind == Step.CRM_DRILL_SET)
        )
        return {user: (status, error) for user, status, error in found}


async def outbox_for(deps: Deps, outboxes: Outboxes) -> Outbox:
    await empty_tables(deps)
    await seed_org(deps)
    outbox = outboxes(deps, "test")
    outbox.crm.crm_factory = crm_at(Rate(per_minute=600_000, burst=1000))
    return outbox


async def test_salesforce_gets_every_reps_records_in_one_request(
    database_url: str, sandbox: SlackSandbox, tmp_path: Path, outboxes: Outboxes
) -> None:
    org = SalesforceSandbox()
    set_up(org)
    await org.start()
    key = tmp_path / "salesforce.key"
    key.write_text(key_pair().private_pem)
    owners = {user: org.add_user(email, user) for user, email in REPS.items()}
    deals = {
        user: [org.add_opportunity(owner, f"{user} deal {n}", "Qualification") for n in range(2)]
        for user, owner in owners.items()
    }
    org.add_validation_rule(deals["U0REPA2"][1], "Next Step is required.")
    settings = make_settings(
        database_url,
        sandbox,
        salesforce_login_url=org.base_url,
        salesforce_client_id=CONSUMER_KEY,
        salesforce_username=USERNAME,
        salesforce_private_key_file=str(key),
    )
    deps = Deps.build(settings, FrozenClock(WEDNESDAY))
    try:
        outbox = await outbox_for(deps, outboxes)
        await coached_week(deps, deals)
        await outbox.crm.run(WEDNESDAY)
        again = await outbox.crm.run(WEDNESDAY + timedelta(minutes=5))
        assert not again.writes.outcomes  # nothing left, nothing twice
        states = await rows(deps)
    finally:
        await deps.close()
        await org.stop()
    [update] = org.requests_to("/services/data/v62.0/composite/sobjects")
    assert len(update.body["records"]) == 6  # three reps' rows, one request
    assert states["U0REPA1"] == (DeliveryStatus.SENT, None)
    assert states["U0REPB1"] == (DeliveryStatus.SENT, None)
    assert states["U0REPA2"] == (
        DeliveryStatus.FAILED,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION: Next Step is required.",
    )
    field = "Coaching_Drill_This_Week__c"
    assert org.writes_to(deals["U0REPA2"][0], field) == [DRILL.name]  # the rest was written
    assert org.writes_to(deals["U0REPA2"][1], field) == []
    for user in ("U0REPA1", "U0REPB1"):
        assert [org.writes_to(d, field) for d in deals[user]] == [[DRILL.name]] * 2


async def test_hubspot_gets_every_reps_deals_in_one_batch(
    database_url: str, sandbox: SlackSandbox, outboxes: Outboxes
) -> None:
    box = HubSpotSandbox()
    await box.start()
    owners = {user: box.add_owner(email) for user, email in REPS.items()}
    deals = {
        user: [box.add_deal(owner, f"{user} deal {n}", "qualifiedtobuy") for n in range(2)]
        for user, owner in owners.items()
    }
    settings = make_settings(
        database_url, sandbox, hubspot_token=box.token, hubspot_api_url=box.base_url
    )
    deps = Deps.build(settings, FrozenClock(WEDNESDAY))
    try:
        outbox = await outbox_for(deps, outboxes)
        await coached_week(deps, deals)
        await outbox.crm.run(WEDNESDAY)
        states = await rows(deps)
    finally:
        await deps.close()
        await box.stop()
    [update] = box.requests_to("/crm/v3/objects/deals/batch/update")
    assert len(update.body["inputs"]) == 6
    assert set(states.values()) == {(DeliveryStatus.SENT, None)}
    for ids in deals.values():
        for deal in ids:
            assert box.writes_to(deal, "coaching_drill_this_week") == [DRILL.name]
            assert box.writes_to(deal, "drill_recorded") == ["false"]
