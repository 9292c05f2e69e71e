"""The HubSpot client against the local stand-in: every page read, open deals most recently
changed first, stage history in time order, write-back and its refusals, the three 429
policies (spent for the day, waited out, Retry-After honoured), refusals and outages told
apart, and nothing secret or personal in the log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.clock import FrozenClock
from app.crm.credentials import HubSpotCredentials
from app.crm.hubspot import HubSpotCrm
from app.crm.provider import (
    CrmBudgetSpent,
    CrmFieldRefused,
    CrmRefused,
    CrmUnavailable,
    DrillFields,
    FieldWrite,
)
from app.db.pace import Rate
from app.db.turns import LocalPace
from app.sandbox.hubspot import COACH_SCOPES, HubSpotSandbox
from tests.support.log_capture import Capture

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
FIELDS = DrillFields("coaching_drill_this_week", "drill_recorded")
SEARCH = "/crm/v3/objects/deals/search"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeTurn:
    """Every request may go at once; a pause is recorded and moves the sandbox's clock on,
    as if the client had slept it."""

    def __init__(self, ticks: Ticks) -> None:
        self.ticks = ticks
        self.waits = 0
        self.pauses: list[float] = []

    async def wait(self) -> None:
        self.waits += 1

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.ticks.now += seconds


def sandbox(**settings: object) -> HubSpotSandbox:
    box = HubSpotSandbox(**settings)  # type: ignore[arg-type]
    box.clock = FrozenClock(NOW)
    return box


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
async def hs(ticks: Ticks) -> AsyncIterator[HubSpotSandbox]:
    box = sandbox()
    box.monotonic = ticks
    await box.start()
    yield box
    await box.stop()


@pytest.fixture
def turn(ticks: Ticks) -> FakeTurn:
    return FakeTurn(ticks)


@pytest.fixture
async def crm(hs: HubSpotSandbox, turn: FakeTurn) -> AsyncIterator[HubSpotCrm]:
    client = HubSpotCrm(HubSpotCredentials(hs.base_url, hs.token), FIELDS, turn)
    yield client
    await client.close()


def client_of(box: HubSpotSandbox, turn: FakeTurn, token: str | None = None) -> HubSpotCrm:
    return HubSpotCrm(HubSpotCredentials(box.base_url, token or box.token), FIELDS, turn)


@asynccontextmanager
async def started(
    turn: FakeTurn, **settings: object
) -> AsyncIterator[tuple[HubSpotSandbox, HubSpotCrm]]:
    """A sandbox of its own (on the turn's clock) and a client for it."""
    box = sandbox(**settings)
    box.monotonic = turn.ticks
    await box.start()
    crm = client_of(box, turn)
    try:
        yield box, crm
    finally:
        await crm.close()
        await box.stop()


async def test_owners_are_read_across_three_pages(hs: HubSpotSandbox, crm: HubSpotCrm) -> None:
    ids = [hs.add_owner(f"Rep{n}@Northwind.com", f"Rep{n}", "Smith") for n in range(1001)]
    owners = await crm.owners()
    assert [o.id for o in owners] == ids
    assert owners[7].email == "rep7@northwind.com" and all(o.active for o in owners)
    pages = hs.requests_to("/crm/v3/owners/")
    assert [r.query.get("after") for r in pages] == [None, "500", "1000"]
    assert all(r.query["limit"] == "500" and r.query["archived"] == "false" for r in pages)


async def test_stages_know_won_from_probability_and_closed_from_metadata(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    renewals = hs.add_pipeline("Renewals", [("Up for renewal", 0.5, False), ("Renewed", 1.0, True)])
    stages = await crm.stages()
    default = [s for s in stages if s.pipeline == "default"]
    assert [s.id for s in default][:2] == ["appointmentscheduled", "qualifiedtobuy"]
    assert {s.id for s in default if s.won} == {"closedwon"}
    assert {s.id for s in default if s.closed} == {"closedwon", "closedlost"}
    assert [s.position for s in default] == list(range(7))
    assert default[3].label == "Decision Maker Bought-In"
    second = [s for s in stages if s.pipeline == renewals]
    assert [(s.label, s.closed, s.won) for s in second] == [
        ("Up for renewal", False, False),
        ("Renewed", True, True),
    ]


async def test_open_deals_across_three_pages_newest_change_first(
    hs: HubSpotSandbox, turn: FakeTurn
) -> None:
    ana, ben, cal = (hs.add_owner(f"{n}@northwind.com") for n in ("ana", "ben", "cal"))
    close = datetime(2026, 12, 18, tzinfo=UTC)
    wanted = []
    for n in range(430):
        owner = ana if n % 2 else ben
        at = NOW - timedelta(minutes=n)
        wanted.append(
            hs.add_deal(owner, f"Deal {n}", "qualifiedtobuy", n * 100, close, modified_at=at)
        )
    hs.add_deal(ana, "Won", "closedwon", 5, modified_at=NOW)
    hs.add_deal(ben, "Lost", "closedlost", modified_at=NOW)
    hs.add_deal(cal, "Someone else's", "qualifiedtobuy", modified_at=NOW)
    deleted = hs.add_deal(ana, "Deleted", "qualifiedtobuy", modified_at=NOW)
    hs.delete_deal(deleted)
    crm = HubSpotCrm(
        HubSpotCredentials(hs.base_url, hs.token), FIELDS, LocalPace(Rate(per_minute=60_000))
    )
    try:
        deals = await crm.open_deals([ana, ben, ana, "not-an-id"])
    finally:
        await crm.close()
    assert [d.id for d in deals] == wanted
    first = deals[1]
    assert first.name == "Deal 1" and first.owner_id == ana and first.stage_id == "qualifiedtobuy"
    assert first.amount == Decimal("100.00") and first.currency == "USD"
    assert first.close_date == close.date() and first.closed is False
    assert first.modified_at == NOW - timedelta(minutes=1) and first.pipeline == "default"
    assert first.url == f"https://app.hubspot.com/contacts/48213907/record/0-3/{first.id}"
    searches = hs.requests_to(SEARCH)
    by_id = sorted(wanted, key=int)
    assert [r.body["filterGroups"][0]["filters"][2:] for r in searches] == [
        [],
        [{"propertyName": "hs_object_id", "operator": "GT", "value": by_id[199]}],
        [{"propertyName": "hs_object_id", "operator": "GT", "value": by_id[399]}],
    ]
    assert all("after" not in r.body for r in searches)
    filters = searches[0].body["filterGroups"][0]["filters"]
    assert filters[0] == {
        "propertyName": "hubspot_owner_id",
        "operator": "IN",
        "values": [ana, ben],
    }
    assert len(hs.requests_to("/account-info/v3/details")) == 1

    # The next sync's client for the same credentials knows where deals open: not asked again.
    again = HubSpotCrm(HubSpotCredentials(hs.base_url, hs.token), FIELDS, turn, cache_key="k-1")
    other = HubSpotCrm(HubSpotCredentials(hs.base_url, hs.token), FIELDS, turn, cache_key="k-1")
    try:
        await again.open_deals([ana])
        await other.open_deals([ana])
    finally:
        await again.close()
        await other.close()
    assert len(hs.requests_to("/account-info/v3/details")) == 2


async def test_a_deal_changed_while_paging_is_read_once(hs: HubSpotSandbox, turn: FakeTurn) -> None:
    """A rep (or coach's own write-back) changes a deal between two pages: it must be
    neither missed nor read twice, whatever it did to the order."""
    owner = hs.add_owner("ana@northwind.com")
    ids = [
        hs.add_deal(owner, f"Deal {n}", "qualifiedtobuy", modified_at=NOW - timedelta(hours=n))
        for n in range(450)
    ]
    moved = ids[300]  # on the second page by recency, and by id

    async def between_pages(response: httpx.Response) -> None:
        if response.request.url.path == SEARCH and len(hs.requests_to(SEARCH)) == 1:
            hs.move_stage(moved, "presentationscheduled", NOW + timedelta(minutes=1))

    http = httpx.AsyncClient(event_hooks={"response": [between_pages]})
    crm = HubSpotCrm(HubSpotCredentials(hs.base_url, hs.token), FIELDS, turn, http=http)
    try:
        deals = await crm.open_deals([owner])
    finally:
        await crm.close()
    assert len(hs.requests_to(SEARCH)) == 3
    assert sorted(d.id for d in deals) == sorted(ids)
    assert deals[0].id == moved and deals[0].stage_id == "presentationscheduled"
    assert [d.id for d in deals[1:]] == [i for i in ids if i != moved]


async def test_more_open_deals_than_search_ever_pages_to_are_all_read(
    hs: HubSpotSandbox, crm: HubSpotCrm, turn: FakeTurn
) -> None:
    """Past HubSpot's 10,000-result ceiling, at search's 5 requests a second (its 429s
    waited out, a second each)."""
    owner = hs.add_owner("busy@northwind.com")
    for n in range(10_050):
        hs.add_deal(owner, f"Deal {n}", "qualifiedtobuy", modified_at=NOW - timedelta(seconds=n))
    deals = await crm.open_deals([owner])
    assert len({d.id for d in deals}) == 10_050 and deals[-1].name == "Deal 10049"
    searches = hs.requests_to(SEARCH)
    assert [r.status for r in searches].count(200) == 51
    assert all(p == 1.0 for p in turn.pauses) and len(turn.pauses) == len(searches) - 51 > 0


async def test_deals_reads_open_and_closed_and_leaves_out_missing(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    open_deal = hs.add_deal(owner, "Acme", "contractsent", "40000.5")
    won = hs.add_deal(owner, "Globex", "closedwon")
    gone = hs.add_deal(owner, "Initech", "qualifiedtobuy")
    hs.delete_deal(gone)
    deals = await crm.deals([open_deal, won, gone, "12345678901"])
    assert [(d.id, d.closed) for d in deals] == [(open_deal, False), (won, True)]
    assert deals[0].amount == Decimal("40000.50") and deals[1].amount is None
    (read,) = hs.requests_to("/crm/v3/objects/deals/batch/read")
    assert read.status == 207 and "propertiesWithHistory" not in read.body


async def test_stage_history_comes_in_time_order(hs: HubSpotSandbox, crm: HubSpotCrm) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deal = hs.add_deal(owner, "Acme", "appointmentscheduled", modified_at=NOW - timedelta(days=20))
    other = hs.add_deal(owner, "Globex", "qualifiedtobuy", modified_at=NOW - timedelta(days=2))
    hs.move_stage(deal, "presentationscheduled", NOW - timedelta(days=10))
    hs.move_stage(deal, "closedwon", NOW - timedelta(days=1))
    changes = await crm.stage_history([deal, other])
    mine = [(c.stage_id, c.at) for c in changes if c.deal_id == deal]
    created = hs.deals[deal].created
    assert mine == [
        ("appointmentscheduled", created),
        ("presentationscheduled", NOW - timedelta(days=10)),
        ("closedwon", NOW - timedelta(days=1)),
    ]
    assert [c.stage_id for c in changes if c.deal_id == other] == ["qualifiedtobuy"]
    (read,) = hs.requests_to("/crm/v3/objects/deals/batch/read")
    assert read.body["propertiesWithHistory"] == ["dealstage"]


async def test_write_sets_both_properties_and_names_the_gone(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deals = [hs.add_deal(owner, f"Deal {n}", "qualifiedtobuy") for n in range(3)]
    hs.delete_deal(deals[2])
    result = await crm.write(
        [
            FieldWrite(deals[0], "Multithread the deal", True),
            FieldWrite(deals[1], "", False),
            FieldWrite(deals[2], "Ask for the budget", True),
        ]
    )
    assert result.written == (deals[0], deals[1]) and result.gone == (deals[2],)
    assert hs.writes_to(deals[0], "coaching_drill_this_week") == ["Multithread the deal"]
    assert hs.writes_to(deals[0], "drill_recorded") == ["true"]
    assert hs.writes_to(deals[1], "drill_recorded") == ["false"]
    assert hs.writes_to(deals[1], "coaching_drill_this_week") == [None]  # "" clears it
    assert hs.deal(deals[0])["hs_lastmodifieddate"] == "2026-12-01T15:00:00.000Z"

    # No drill named: only the checkbox is written, the drill stays as the deal has it.
    await crm.write([FieldWrite(deals[0], None, False)])
    assert hs.writes_to(deals[0], "coaching_drill_this_week") == ["Multithread the deal"]
    assert hs.writes_to(deals[0], "drill_recorded") == ["true", "false"]
    assert hs.deal(deals[0])["coaching_drill_this_week"] == "Multithread the deal"


async def test_two_writes_for_one_deal_send_the_last_once(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    """HubSpot refuses a whole batch that names an id twice (a 400, not a field refusal)."""
    owner = hs.add_owner("ana@northwind.com")
    deal, other = (hs.add_deal(owner, name, "qualifiedtobuy") for name in ("Acme", "Globex"))
    result = await crm.write(
        [
            FieldWrite(deal, "First drill", False),
            FieldWrite(other, "Other drill", True),
            FieldWrite(deal, "Second drill", True),
        ]
    )
    assert result.written == (deal, other) and result.gone == ()
    assert hs.writes_to(deal, "coaching_drill_this_week") == ["Second drill"]
    assert hs.writes_to(deal, "drill_recorded") == ["true"]
    (update,) = hs.requests_to("/crm/v3/objects/deals/batch/update")
    assert update.status == 200 and len(update.body["inputs"]) == 2


async def test_a_property_hubspot_lacks_is_a_field_refusal_in_its_words(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deal = hs.add_deal(owner, "Acme", "qualifiedtobuy")
    hs.drop_property("drill_recorded")
    with pytest.raises(CrmFieldRefused) as refused:
        await crm.write([FieldWrite(deal, "Multithread", True)])
    assert refused.value.code == "PROPERTY_DOESNT_EXIST"
    assert 'Property \\"drill_recorded\\" does not exist' in refused.value.reason
    assert hs.writes_to(deal, "coaching_drill_this_week") == []
    assert (await crm.check_fields()).recorded is False


async def test_check_fields_and_create_fields(turn: FakeTurn) -> None:
    async with started(turn, with_coach_properties=False) as (box, crm):
        assert not (await crm.check_fields()).ready
        assert await crm.create_fields() == ["coaching_drill_this_week", "drill_recorded"]
        assert (await crm.check_fields()).ready
        assert await crm.create_fields() == []
        created = [r for r in box.requests if r.method == "POST"]
        assert [r.status for r in created] == [201, 201]
        assert box.properties["drill_recorded"].type == "bool"


async def test_a_property_of_another_type_is_refused_on_create(
    hs: HubSpotSandbox, crm: HubSpotCrm
) -> None:
    hs.drop_property("drill_recorded")
    async with httpx.AsyncClient(
        base_url=hs.base_url, headers={"Authorization": f"Bearer {hs.token}"}
    ) as http:
        made = await http.post(
            "/crm/v3/properties/deals",
            json={"name": "drill_recorded", "label": "Drill Recorded", "type": "string",
                  "fieldType": "text", "groupName": "dealinformation"},
        )  # fmt: skip
    assert made.status_code == 201
    check = await crm.check_fields()
    assert check.drill and not check.recorded
    with pytest.raises(CrmFieldRefused) as refused:
        await crm.create_fields()
    assert refused.value.code == "OBJECT_ALREADY_EXISTS"
    assert hs.requests[-1].status == 409


async def test_the_daily_limit_spent_is_budget_spent(turn: FakeTurn) -> None:
    async with started(turn, per_day=1) as (box, crm):
        await crm.stages()
        with pytest.raises(CrmBudgetSpent) as spent:
            await crm.owners()
    assert spent.value.code == "daily_limit"
    assert [r.status for r in box.requests] == [200, 429] and turn.pauses == []


async def test_the_ten_second_limit_is_waited_out(turn: FakeTurn) -> None:
    async with started(turn, per_ten_seconds=2) as (box, crm):
        await crm.stages()
        await crm.owners()
        stages = await crm.stages()
    assert stages and turn.pauses == [10.0]
    refused, retried = box.requests[2:]
    assert refused.status == 429 and retried.status == 200
    assert retried.monotonic - refused.monotonic >= 10.0


async def test_a_scripted_retry_after_is_waited_as_told(
    hs: HubSpotSandbox, crm: HubSpotCrm, turn: FakeTurn
) -> None:
    hs.rate_limit_next(1, retry_after=3)
    hs.rate_limit_next(1, retry_after=None, policy="SECONDLY")
    assert await crm.stages()
    assert turn.pauses == [3.0, 1.0]
    assert [r.status for r in hs.requests] == [429, 429, 200]
    assert hs.requests[1].monotonic - hs.requests[0].monotonic == 3.0


async def test_a_long_retry_after_ends_the_call_for_now(
    hs: HubSpotSandbox, crm: HubSpotCrm, turn: FakeTurn
) -> None:
    hs.rate_limit_next(1, retry_after=60)
    with pytest.raises(CrmUnavailable) as stopped:
        await crm.owners()
    assert stopped.value.code == "rate_limited" and stopped.value.retry_after_s == 60
    assert turn.pauses == [60.0] and len(hs.requests) == 1


async def test_a_revoked_token_or_a_missing_scope_is_refused(
    hs: HubSpotSandbox, crm: HubSpotCrm, turn: FakeTurn
) -> None:
    wrong = client_of(hs, turn, token="pat-na1-not-this-one")
    with pytest.raises(CrmRefused) as refused:
        await wrong.owners()
    await wrong.close()
    assert refused.value.code == "INVALID_AUTHENTICATION"
    hs.scopes = set(COACH_SCOPES - {"crm.objects.deals.write"})
    with pytest.raises(CrmRefused) as short:
        await crm.write([FieldWrite("12345678901", "Drill", True)])
    assert short.value.code == "MISSING_SCOPES"
    hs.revoke_token()
    with pytest.raises(CrmRefused) as revoked:
        await crm.stages()
    assert revoked.value.code == "INVALID_AUTHENTICATION"


async def test_an_outage_or_a_slow_answer_is_unavailable(
    hs: HubSpotSandbox, turn: FakeTurn
) -> None:
    hs.go_down(503)
    crm = HubSpotCrm(HubSpotCredentials(hs.base_url, hs.token), FIELDS, turn, timeout_s=0.2)
    try:
        with pytest.raises(CrmUnavailable) as down:
            await crm.owners()
        assert down.value.code == "http_503"
        hs.come_back()
        hs.slow_down(0.4)
        with pytest.raises(CrmUnavailable) as slow:
            await crm.stages()
        assert slow.value.code == "timeout"
        hs.slow_down(0)
        assert await crm.stages()
    finally:
        await crm.close()


async def test_neither_the_token_nor_deal_names_reach_the_log(
    hs: HubSpotSandbox, crm: HubSpotCrm, debug_capture: Capture
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deal = hs.add_deal(owner, "Secret Merger With Initech", "qualifiedtobuy")
    await crm.owners()
    await crm.open_deals([owner])
    await crm.stage_history([deal])
    await crm.write([FieldWrite(deal, "Private drill words", True)])
    hs.drop_property("drill_recorded")
    with pytest.raises(CrmFieldRefused):
        await crm.write([FieldWrite(deal, "Private drill words", True)])
    logged = "\n".join(debug_capture.lines)
    assert debug_capture.lines  # the transport did log the requests
    for secret in (hs.token, "Secret Merger", "Private drill words", "ana@northwind.com"):
        assert secret not in logged
