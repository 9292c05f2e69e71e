"""The HubSpot stand-in over real HTTP: Bearer token and scopes, owners and pipelines, the
search evaluator and its limits, batch read with history, batch update refusals, deal
properties, and the 10-second, daily and search per-second 429s with their headers."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.clock import FrozenClock
from app.sandbox.hubspot import COACH_SCOPES, HubSpotSandbox

TOKEN = "pat-na1-sandbox-token"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SEARCH = "/crm/v3/objects/deals/search"
BATCH_READ = "/crm/v3/objects/deals/batch/read"
BATCH_UPDATE = "/crm/v3/objects/deals/batch/update"
ERROR_KEYS = {"status", "message", "correlationId", "category"}
LIMIT_HEADERS = (
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Secondly",
    "X-HubSpot-RateLimit-Secondly-Remaining",
)


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def box(**settings: Any) -> HubSpotSandbox:
    sandbox = HubSpotSandbox(**settings)
    sandbox.clock = FrozenClock(NOW)
    return sandbox


@asynccontextmanager
async def running(sandbox: HubSpotSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A started sandbox and a client that sends the right token."""
    base = await sandbox.start()
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=base, headers=headers) as http:
            yield http
    finally:
        await sandbox.stop()


@pytest.fixture
async def hs() -> AsyncIterator[HubSpotSandbox]:
    sandbox = box(per_ten_seconds=10_000, search_per_second=1000)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http(hs: HubSpotSandbox) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=hs.base_url, headers=headers) as client:
        yield client


async def search(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await http.post(SEARCH, json=body)


def where(*groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"filters": filters} for filters in groups]


def names(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["properties"]["dealname"] for row in answer.json()["results"]]


def seed_board(hs: HubSpotSandbox) -> tuple[str, str]:
    """Five deals for two owners; returns the owners' ids."""
    ana, ben = hs.add_owner("ana@northwind.com", "Ana", "Ruiz"), hs.add_owner("ben@nw.com")
    close = datetime(2026, 12, 18, tzinfo=UTC)
    hs.add_deal(ana, "Acme", "qualifiedtobuy", 40000, close, modified_at=NOW - timedelta(days=3))
    hs.add_deal(ana, "Globex", "contractsent", 125000, None, modified_at=NOW - timedelta(days=1))
    hs.add_deal(ana, "Initech", "closedwon", 9000, close, modified_at=NOW - timedelta(days=2))
    hs.add_deal(ben, "Hooli", "appointmentscheduled", None, None, modified_at=NOW)
    hs.add_deal(
        ben, "Umbrella", "closedlost", 500, close.date(), modified_at=NOW - timedelta(days=9)
    )
    return ana, ben


# --- auth --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer pat-na1-someone-else", "Bearer", "Basic cGF0LW5hMS1zYW5kYm94LXRva2Vu", TOKEN],
    ids=["missing", "wrong", "empty", "basic", "no-scheme"],
)
async def test_a_missing_or_wrong_token_is_401_with_hubspots_body(
    hs: HubSpotSandbox, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with httpx.AsyncClient(base_url=hs.base_url, headers=headers) as anonymous:
        answer = await anonymous.get("/crm/v3/owners/")
    assert answer.status_code == 401
    body = answer.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"].startswith("Authentication credentials not found.")
    assert answer.headers["X-HubSpot-Correlation-Id"] == body["correlationId"]
    assert hs.requests[-1].status == 401 and not hs.requests[-1].accepted
    assert "X-HubSpot-RateLimit-Remaining" not in answer.headers


async def test_a_revoked_token_is_refused_from_then_on(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    assert (await http.get("/crm/v3/pipelines/deals")).status_code == 200
    hs.revoke_token()
    answer = await http.get("/crm/v3/pipelines/deals")
    assert answer.status_code == 401 and answer.json()["category"] == "INVALID_AUTHENTICATION"


async def test_a_scope_the_app_lacks_is_403_missing_scopes() -> None:
    sandbox = box(scopes=COACH_SCOPES - {"crm.objects.owners.read"})
    async with running(sandbox) as http:
        refused = await http.get("/crm/v3/owners/")
        allowed = await http.post(SEARCH, json={})
    assert refused.status_code == 403
    body = refused.json()
    assert body["category"] == "MISSING_SCOPES" and body["status"] == "error"
    assert body["message"].startswith("This app hasn't been granted all required scopes")
    assert body["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.owners.read"]}
    assert allowed.status_code == 200


# --- owners, pipelines, account ----------------------------------------------------------
async def test_owners_come_in_pages_with_after_and_a_link(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    ids = [hs.add_owner(f"rep{n}@northwind.com", f"Rep{n}", "Smith") for n in range(5)]
    hs.archive_owner(ids[4])
    assert all(i.isdigit() for i in ids) and len(set(ids)) == 5
    seen, afters = [], []
    params: dict[str, str] = {"limit": "2", "archived": "false"}
    while True:
        body = (await http.get("/crm/v3/owners/", params=params)).json()
        seen += [row["id"] for row in body["results"]]
        following = body.get("paging", {}).get("next")
        if following is None:
            break
        assert following["link"] == f"{hs.base_url}/crm/v3/owners/?after={following['after']}"
        afters.append(following["after"])
        params["after"] = following["after"]
    assert seen == ids[:4] and afters == ["2"]
    first = (await http.get("/crm/v3/owners/", params={"limit": "1"})).json()["results"][0]
    assert first["email"] == "rep0@northwind.com" and first["archived"] is False
    assert {"id", "email", "firstName", "lastName", "userId", "createdAt", "updatedAt"} <= set(
        first
    )
    archived = (await http.get("/crm/v3/owners", params={"archived": "true"})).json()
    assert [row["id"] for row in archived["results"]] == [ids[4]]
    for bad in ({"limit": "501"}, {"limit": "0"}, {"after": "later"}, {"archived": "maybe"}):
        answer = await http.get("/crm/v3/owners/", params=bad)
        assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"


async def test_pipelines_have_hubspots_default_stages_and_a_seeded_second(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    renewals = hs.add_pipeline("Renewals", [("Up for renewal", 0.5, False), ("Renewed", 1.0, True)])
    body = (await http.get("/crm/v3/pipelines/deals")).json()
    default, second = body["results"]
    assert default["id"] == "default" and default["label"] == "Sales Pipeline"
    stages = [
        (s["id"], s["metadata"]["probability"], s["metadata"]["isClosed"])
        for s in default["stages"]
    ]
    assert stages == [
        ("appointmentscheduled", "0.2", "false"),
        ("qualifiedtobuy", "0.4", "false"),
        ("presentationscheduled", "0.6", "false"),
        ("decisionmakerboughtin", "0.8", "false"),
        ("contractsent", "0.9", "false"),
        ("closedwon", "1.0", "true"),
        ("closedlost", "0.0", "true"),
    ]
    assert [s["displayOrder"] for s in default["stages"]] == list(range(7))
    assert second["id"] == renewals and [s["label"] for s in second["stages"]] == [
        "Up for renewal",
        "Renewed",
    ]
    assert all(s["id"].isdigit() for s in second["stages"])


async def test_account_details_name_the_portal_and_ui_domain(http: httpx.AsyncClient) -> None:
    body = (await http.get("/account-info/v3/details")).json()
    assert body["portalId"] == 48_213_907 and body["uiDomain"] == "app.hubspot.com"
    assert body["companyCurrency"] == "USD" and body["timeZone"] == "US/Eastern"


# --- search ------------------------------------------------------------------------------
def owner_filter(operator: str, *owners: str) -> dict[str, Any]:
    return {"propertyName": "hubspot_owner_id", "operator": operator, "values": list(owners)}


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (where([{"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"}]),
         {"Acme", "Globex", "Hooli"}),
        (where([{"propertyName": "dealstage", "operator": "NEQ", "value": "closedwon"}]),
         {"Acme", "Globex", "Hooli", "Umbrella"}),
        (where([{"propertyName": "amount", "operator": "GT", "value": "9000"}]),
         {"Acme", "Globex"}),
        (where([{"propertyName": "amount", "operator": "GTE", "value": "9000"}]),
         {"Acme", "Globex", "Initech"}),
        (where([{"propertyName": "amount", "operator": "LT", "value": 9000}]), {"Umbrella"}),
        (where([{"propertyName": "amount", "operator": "LTE", "value": "9000.00"}]),
         {"Initech", "Umbrella"}),
        (where([{"propertyName": "amount", "operator": "BETWEEN", "value": "500",
                 "highValue": "40000"}]), {"Acme", "Initech", "Umbrella"}),
        (where([{"propertyName": "closedate", "operator": "HAS_PROPERTY"}]),
         {"Acme", "Initech", "Umbrella"}),
        (where([{"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"}]), {"Hooli"}),
        (where([{"propertyName": "dealstage", "operator": "IN",
                 "values": ["contractsent", "closedlost"]}]), {"Globex", "Umbrella"}),
        (where([{"propertyName": "dealstage", "operator": "NOT_IN",
                 "values": ["contractsent", "closedlost"]}]), {"Acme", "Initech", "Hooli"}),
        (where([{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                 "value": str(int((NOW - timedelta(days=2)).timestamp() * 1000))}]),
         {"Globex", "Initech", "Hooli"}),
        (where([{"propertyName": "closedate", "operator": "LT", "value": "2026-12-19"}]),
         {"Acme", "Initech", "Umbrella"}),
        (where([{"propertyName": "dealname", "operator": "EQ", "value": "acme"}]), {"Acme"}),
        # AND within a group, OR across groups
        (where([{"propertyName": "hs_is_closed", "operator": "EQ", "value": "true"},
                {"propertyName": "amount", "operator": "GT", "value": "1000"}],
               [{"propertyName": "dealstage", "operator": "EQ", "value": "appointmentscheduled"}]),
         {"Initech", "Hooli"}),
        ([], {"Acme", "Globex", "Initech", "Hooli", "Umbrella"}),
    ],
)  # fmt: skip
async def test_search_evaluates_filter_groups(
    hs: HubSpotSandbox, http: httpx.AsyncClient, groups: list[Any], expected: set[str]
) -> None:
    seed_board(hs)
    answer = await search(http, filterGroups=groups, properties=["dealname"], limit=200)
    assert set(names(answer)) == expected
    assert answer.json()["total"] == len(expected)


async def test_search_by_owner_sorted_most_recently_changed_first(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    ana, _ = seed_board(hs)
    newest = [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}]
    answer = await search(
        http, filterGroups=where([owner_filter("IN", ana)]), sorts=newest, properties=["dealname"]
    )
    assert names(answer) == ["Globex", "Initech", "Acme"]
    answer = await search(
        http, filterGroups=where([owner_filter("NOT_IN", ana)]), properties=["dealname"]
    )
    assert set(names(answer)) == {"Hooli", "Umbrella"}
    by_amount = [{"propertyName": "amount", "direction": "ASCENDING"}]
    answer = await search(http, sorts=by_amount, properties=["dealname"])
    assert names(answer) == ["Umbrella", "Initech", "Acme", "Globex", "Hooli"]  # unset last


async def test_search_pages_with_after_and_returns_what_was_asked(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    seed_board(hs)
    seen, afters = [], []
    body: dict[str, Any] = {"properties": ["dealname", "amount", "closedate"], "limit": 2}
    while True:
        page = (await search(http, **body)).json()
        assert page["total"] == 5
        seen += page["results"]
        following = page.get("paging", {}).get("next", {}).get("after")
        if following is None:
            break
        afters.append(following)
        body["after"] = following
    assert afters == ["2", "4"] and len({row["id"] for row in seen}) == 5
    acme = next(row for row in seen if row["properties"]["dealname"] == "Acme")
    assert set(acme["properties"]) == {
        "dealname", "amount", "closedate", "hs_object_id", "createdate", "hs_lastmodifieddate"
    }  # fmt: skip
    assert acme["properties"]["amount"] == "40000"
    assert acme["properties"]["closedate"] == "2026-12-18T00:00:00.000Z"
    assert acme["properties"]["hs_lastmodifieddate"] == "2026-11-28T15:00:00.000Z"
    assert acme["properties"]["hs_object_id"] == acme["id"]
    assert acme["archived"] is False and acme["updatedAt"] == "2026-11-28T15:00:00.000Z"
    defaults = (await search(http, limit=1)).json()["results"][0]["properties"]
    assert set(defaults) == {
        "amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate",
        "hs_object_id", "pipeline",
    }  # fmt: skip


def many(n: int) -> list[dict[str, Any]]:
    return [{"propertyName": "amount", "operator": "GT", "value": str(i)} for i in range(n)]


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"filterGroups": where(*[many(1)] * 5)}, True),
        ({"filterGroups": where(*[many(1)] * 6)}, False),  # 6 groups
        ({"filterGroups": where(many(6))}, True),
        ({"filterGroups": where(many(7))}, False),  # 7 in one group
        ({"filterGroups": where(many(6), many(6), many(6))}, True),  # 18 in all
        ({"filterGroups": where(many(6), many(6), many(5), many(2))}, False),  # 19
        ({"filterGroups": where([owner_filter("IN", *map(str, range(100)))])}, True),
        ({"filterGroups": where([owner_filter("IN", *map(str, range(101)))])}, False),
        ({"filterGroups": where([owner_filter("IN")])}, False),  # no values
        ({"filterGroups": where([{"propertyName": "dealstage", "operator": "IN",
                                  "value": "closedwon"}])}, False),  # `value` for IN
        ({"filterGroups": where([{"propertyName": "dealstage", "operator": "EQ",
                                  "values": ["closedwon"]}])}, False),  # `values` for EQ
        ({"filterGroups": where([{"propertyName": "amount", "operator": "EQ",
                                  "value": "lots"}])}, False),
        ({"filterGroups": where([{"propertyName": "amount", "operator": "LIKE",
                                  "value": "1"}])}, False),
        ({"limit": 200}, True),
        ({"limit": 201}, False),
        ({"after": "soon"}, False),
        ({"sorts": [{"propertyName": "amount"}, {"propertyName": "dealname"}]}, False),
        ({"sorts": [{"propertyName": "amount", "direction": "UP"}]}, False),
        ({"properties": "dealname"}, False),
    ],
)  # fmt: skip
async def test_search_limits_and_malformed_bodies(
    http: httpx.AsyncClient, body: dict[str, Any], ok: bool
) -> None:
    answer = await search(http, **body)
    assert answer.status_code == (200 if ok else 400), answer.text
    if not ok:
        assert set(answer.json()) >= ERROR_KEYS
        assert answer.json()["category"] == "VALIDATION_ERROR"


async def test_an_unknown_property_in_a_filter_or_sort_is_400(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    seed_board(hs)
    bad = [{"propertyName": "deal_temperature", "operator": "EQ", "value": "hot"}]
    answer = await search(http, filterGroups=where(bad))
    assert answer.status_code == 400
    body = answer.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"] == "There was a problem with the request."
    assert "deal_temperature" in json.dumps(body["errors"])
    answer = await search(http, sorts=[{"propertyName": "deal_temperature"}])
    assert answer.status_code == 400
    # an unknown property merely asked for is left out, as HubSpot does
    rows = (await search(http, properties=["dealname", "deal_temperature"])).json()["results"]
    assert rows and all("deal_temperature" not in row["properties"] for row in rows)


async def test_search_stops_at_ten_thousand_results(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    owner = hs.add_owner("busy@northwind.com")
    for n in range(10_050):
        hs.add_deal(owner, f"Deal {n}", "qualifiedtobuy")
    page = (await search(http, after="9800", limit=200)).json()
    assert page["total"] == 10_050 and len(page["results"]) == 200
    assert page["paging"]["next"]["after"] == "10000"
    past = await search(http, after="10000", limit=200)
    assert past.status_code == 400 and past.json()["category"] == "VALIDATION_ERROR"


# --- batch read --------------------------------------------------------------------------
async def test_batch_read_gives_stage_history_newest_first_and_207_for_missing(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deal = hs.add_deal(owner, "Acme", "appointmentscheduled", modified_at=NOW - timedelta(days=9))
    hs.move_stage(deal, "qualifiedtobuy", NOW - timedelta(days=5))
    hs.move_stage(deal, "closedwon", NOW - timedelta(days=1))
    gone = hs.add_deal(owner, "Gone", "qualifiedtobuy")
    hs.delete_deal(gone)
    answer = await http.post(
        BATCH_READ,
        params={"archived": "false"},
        json={
            "inputs": [{"id": deal}, {"id": gone}, {"id": "99999999999"}],
            "properties": ["dealstage", "hs_is_closed"],
            "propertiesWithHistory": ["dealstage"],
        },
    )
    assert answer.status_code == 207
    body = answer.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"] == {"ids": [gone, "99999999999"]}
    (row,) = body["results"]
    assert row["properties"]["dealstage"] == "closedwon"
    assert row["properties"]["hs_is_closed"] == "true"
    history = row["propertiesWithHistory"]["dealstage"]
    assert [h["value"] for h in history] == ["closedwon", "qualifiedtobuy", "appointmentscheduled"]
    assert history[0]["timestamp"] == "2026-11-30T15:00:00.000Z"
    assert history[1]["timestamp"] == "2026-11-26T15:00:00.000Z"
    assert all(h["sourceType"] == "CRM_UI" for h in history)
    whole = await http.post(BATCH_READ, json={"inputs": [{"id": deal}]})
    assert whole.status_code == 200 and "errors" not in whole.json()
    assert "propertiesWithHistory" not in whole.json()["results"][0]


@pytest.mark.parametrize(
    ("count", "history", "status"),
    [(100, False, 207), (101, False, 400), (50, True, 207), (51, True, 400), (0, False, 400)],
)
async def test_batch_read_limits(
    http: httpx.AsyncClient, count: int, history: bool, status: int
) -> None:
    body: dict[str, Any] = {"inputs": [{"id": str(10**10 + n)} for n in range(count)]}
    if history:
        body["propertiesWithHistory"] = ["dealstage"]
    answer = await http.post(BATCH_READ, json=body)
    assert answer.status_code == status


# --- batch update ------------------------------------------------------------------------
def problems(answer: httpx.Response) -> list[dict[str, Any]]:
    message = answer.json()["message"]
    assert message.startswith("Property values were not valid: ")
    listed: list[dict[str, Any]] = json.loads(message[message.index("[") :])
    return listed


@pytest.mark.parametrize(
    ("properties", "error", "name"),
    [
        ({"coaching_drill_this_week": "x", "drill_temperature": "hot"},
         "PROPERTY_DOESNT_EXIST", "drill_temperature"),
        ({"drill_recorded": "yes"}, "INVALID_OPTION", "drill_recorded"),
        ({"hs_is_closed": "true"}, "READ_ONLY_VALUE", "hs_is_closed"),
        ({"dealstage": "won-it"}, "INVALID_OPTION", "dealstage"),
        ({"amount": "a lot"}, "INVALID_DECIMAL", "amount"),
    ],
)  # fmt: skip
async def test_batch_update_refuses_the_whole_batch_for_a_bad_value(
    hs: HubSpotSandbox, http: httpx.AsyncClient, properties: dict[str, str], error: str, name: str
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    first = hs.add_deal(owner, "Acme", "qualifiedtobuy")
    second = hs.add_deal(owner, "Globex", "qualifiedtobuy")
    before = hs.deal(first)
    answer = await http.post(
        BATCH_UPDATE,
        json={
            "inputs": [
                {"id": second, "properties": {"coaching_drill_this_week": "Fine"}},
                {"id": first, "properties": properties},
            ]
        },
    )
    assert answer.status_code == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"
    (problem,) = problems(answer)
    assert problem["error"] == error and problem["name"] == name and problem["isValid"] is False
    assert hs.deal(first) == before
    assert hs.writes_to(second, "coaching_drill_this_week") == []  # nothing applied


async def test_batch_update_applies_records_history_and_reports_missing_ids(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    owner = hs.add_owner("ana@northwind.com")
    deal = hs.add_deal(owner, "Acme", "contractsent", modified_at=NOW - timedelta(days=4))
    gone = hs.add_deal(owner, "Gone", "qualifiedtobuy")
    hs.delete_deal(gone)
    clock = hs.clock
    assert isinstance(clock, FrozenClock)
    clock.set(NOW + timedelta(minutes=5))
    answer = await http.post(
        BATCH_UPDATE,
        json={
            "inputs": [
                {"id": deal, "properties": {"coaching_drill_this_week": "Multithread",
                                            "drill_recorded": True, "dealstage": "closedwon"}},
                {"id": gone, "properties": {"drill_recorded": "false"}},
            ]
        },
    )  # fmt: skip
    assert answer.status_code == 207
    body = answer.json()
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == [gone]
    (row,) = body["results"]
    assert row["id"] == deal and row["properties"]["drill_recorded"] == "true"
    assert row["properties"]["hs_lastmodifieddate"] == "2026-12-01T15:05:00.000Z"
    now = hs.deal(deal)
    assert now["hs_is_closed"] == "true" and now["dealstage"] == "closedwon"
    assert hs.writes_to(deal, "coaching_drill_this_week") == ["Multithread"]
    assert hs.writes_to(deal, "drill_recorded") == ["true"]
    assert hs.writes_to(gone, "drill_recorded") == []
    read = await http.post(
        BATCH_READ, json={"inputs": [{"id": deal}], "propertiesWithHistory": ["dealstage"]}
    )
    latest = read.json()["results"][0]["propertiesWithHistory"]["dealstage"][0]
    assert latest["value"] == "closedwon" and latest["sourceType"] == "INTEGRATION"
    assert latest["timestamp"] == "2026-12-01T15:05:00.000Z"


@pytest.mark.parametrize(
    "inputs",
    [
        [{"id": str(10**10 + n), "properties": {"drill_recorded": "true"}} for n in range(101)],
        [{"id": "10000000001", "properties": {"drill_recorded": "true"}}] * 2,
        [{"id": "10000000001", "properties": {}}],
        [{"id": "10000000001"}],
        [],
    ],
    ids=["101", "duplicate", "no-properties", "missing-properties", "empty"],
)
async def test_batch_update_malformed_batches_are_400(
    http: httpx.AsyncClient, inputs: list[dict[str, Any]]
) -> None:
    answer = await http.post(BATCH_UPDATE, json={"inputs": inputs})
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"


# --- properties --------------------------------------------------------------------------
DRILL = {
    "name": "coaching_drill_this_week",
    "label": "Coaching Drill This Week",
    "type": "string",
    "fieldType": "text",
    "groupName": "dealinformation",
}
RECORDED = {
    "name": "drill_recorded",
    "label": "Drill Recorded",
    "type": "bool",
    "fieldType": "booleancheckbox",
    "groupName": "dealinformation",
    "options": [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}],
}


async def test_properties_are_read_created_and_409_when_taken() -> None:
    sandbox = box(with_coach_properties=False)
    async with running(sandbox) as http:
        missing = await http.get("/crm/v3/properties/deals/drill_recorded")
        assert missing.status_code == 404
        assert missing.json()["category"] == "OBJECT_NOT_FOUND"
        for definition in (DRILL, RECORDED):
            created = await http.post("/crm/v3/properties/deals", json=definition)
            assert created.status_code == 201, created.text
            assert created.json()["name"] == definition["name"]
        got = (await http.get("/crm/v3/properties/deals/drill_recorded")).json()
        assert got["type"] == "bool" and got["calculated"] is False
        assert [o["value"] for o in got["options"]] == ["true", "false"]
        again = await http.post("/crm/v3/properties/deals", json=DRILL)
        assert again.status_code == 409
        body = again.json()
        assert body["category"] == "OBJECT_ALREADY_EXISTS" and set(body) >= ERROR_KEYS
        assert "coaching_drill_this_week" in body["message"]
        stage = (await http.get("/crm/v3/properties/deals/dealstage")).json()
        assert stage["hubspotDefined"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"label": None},
        {"name": "Drill Of The Week"},
        {"fieldType": "booleancheckbox"},  # not a string's field type
        {"groupName": "nowhere"},
        {"type": "bool", "fieldType": "booleancheckbox", "options": []},
        {"type": "colour"},
    ],
)
async def test_a_property_hubspot_would_not_create_is_400(
    http: httpx.AsyncClient, change: dict[str, Any]
) -> None:
    definition = {**DRILL, "name": "new_drill", **change}
    answer = await http.post(
        "/crm/v3/properties/deals", json={k: v for k, v in definition.items() if v is not None}
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"


# --- limits ------------------------------------------------------------------------------
async def test_the_ten_second_limit_is_429_with_hubspots_body_and_headers() -> None:
    ticks = Ticks()
    sandbox = box(per_ten_seconds=3)
    sandbox.monotonic = ticks
    async with running(sandbox) as http:
        allowed = [await http.get("/crm/v3/pipelines/deals") for _ in range(3)]
        ticks.now += 9.9
        refused = await http.get("/crm/v3/pipelines/deals")
        ticks.now += 0.1
        later = await http.get("/crm/v3/pipelines/deals")
    assert [a.headers["X-HubSpot-RateLimit-Remaining"] for a in allowed] == ["2", "1", "0"]
    assert all(a.headers["X-HubSpot-RateLimit-Max"] == "3" for a in allowed)
    assert allowed[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert allowed[2].headers["X-HubSpot-RateLimit-Daily-Remaining"] == "249997"
    assert allowed[0].headers["X-HubSpot-RateLimit-Daily"] == "250000"
    assert [a.headers["X-HubSpot-RateLimit-Secondly-Remaining"] for a in allowed] == ["0"] * 3
    assert all(h in allowed[0].headers for h in LIMIT_HEADERS)
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {
        "status",
        "message",
        "errorType",
        "correlationId",
        "policyName",
        "groupName",
    }
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["errorType"] == "RATE_LIMIT" and body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in refused.headers
    assert later.status_code == 200
    assert [r.accepted for r in sandbox.requests] == [True, True, True, False, True]


async def test_the_daily_limit_holds_until_midnight_in_the_accounts_time_zone() -> None:
    clock = FrozenClock(datetime(2026, 12, 2, 4, 59, tzinfo=UTC))  # 23:59 in New York
    sandbox = box(per_day=2)
    sandbox.clock = clock
    async with running(sandbox) as http:
        statuses = [(await http.get("/crm/v3/owners/")).status_code for _ in range(2)]
        refused = await http.get("/crm/v3/owners/")
        clock.set(datetime(2026, 12, 2, 5, 0, 1, tzinfo=UTC))
        tomorrow = await http.get("/crm/v3/owners/")
    assert statuses == [200, 200] and refused.status_code == 429
    assert refused.json()["policyName"] == "DAILY"
    assert refused.json()["message"] == "You have reached your daily limit."
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert tomorrow.status_code == 200


async def test_search_has_its_own_per_second_limit_and_no_limit_headers() -> None:
    ticks = Ticks()
    sandbox = box(search_per_second=5)
    sandbox.monotonic = ticks
    async with running(sandbox) as http:
        searches = [await http.post(SEARCH, json={}) for _ in range(6)]
        owners = await http.get("/crm/v3/owners/")
        ticks.now += 1.0
        next_second = await http.post(SEARCH, json={})
    assert [s.status_code for s in searches] == [200] * 5 + [429]
    body = searches[5].json()
    assert body["policyName"] == "SECONDLY" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your secondly limit."
    assert not any(h in s.headers for s in searches for h in LIMIT_HEADERS)
    assert owners.status_code == 200 and owners.headers["X-HubSpot-RateLimit-Remaining"] == "94"
    assert next_second.status_code == 200


async def test_rate_limit_next_scripts_429s_with_retry_after(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    hs.rate_limit_next(2, retry_after=3)
    hs.rate_limit_next(1, retry_after=None, policy="SECONDLY")
    answers = [await http.get("/crm/v3/owners/") for _ in range(4)]
    assert [a.status_code for a in answers] == [429, 429, 429, 200]
    assert [a.headers.get("Retry-After") for a in answers[:3]] == ["3", "3", None]
    assert [a.json()["policyName"] for a in answers[:3]] == [
        "TEN_SECONDLY_ROLLING",
        "TEN_SECONDLY_ROLLING",
        "SECONDLY",
    ]


# --- faults and routing ------------------------------------------------------------------
async def test_going_down_answers_like_the_proxy_then_comes_back(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    hs.go_down(502)
    down = await http.get("/crm/v3/owners/")
    assert down.status_code == 502 and "text/html" in down.headers["Content-Type"]
    hs.go_down(500)
    broken = await http.get("/crm/v3/owners/")
    assert broken.status_code == 500 and broken.json()["status"] == "error"
    hs.come_back()
    assert (await http.get("/crm/v3/owners/")).status_code == 200
    assert [r.accepted for r in hs.requests] == [False, False, True]


async def test_slow_down_delays_the_answer(hs: HubSpotSandbox, http: httpx.AsyncClient) -> None:
    hs.slow_down(0.2)
    began = time.monotonic()
    await http.get("/account-info/v3/details")
    assert time.monotonic() - began >= 0.2
    hs.slow_down(0)
    began = time.monotonic()
    await http.get("/account-info/v3/details")
    assert time.monotonic() - began < 0.2


async def test_wrong_methods_unknown_paths_and_bodies_that_are_not_json(
    hs: HubSpotSandbox, http: httpx.AsyncClient
) -> None:
    assert (await http.get(SEARCH)).status_code == 405
    assert (await http.delete("/crm/v3/properties/deals/dealname")).status_code == 405
    assert (await http.get("/crm/v3/objects/tickets")).status_code == 404
    not_json = await http.post(
        SEARCH, content=b"{filterGroups:", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["category"] == "VALIDATION_ERROR"
    logged = hs.requests[-1]
    assert logged.path == SEARCH and logged.body is None and logged.status == 400
    as_text = await http.post(SEARCH, content=b"{}", headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
