"""The Salesforce stand-in over real HTTP (raw httpx): the JWT bearer flow's refusals,
sessions that expire, SOQL evaluated with Salesforce's errors, batches at nextRecordsUrl,
the daily API allocation, and sObject Collections updates with their per-record results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.sandbox.salesforce import SalesforceSandbox, ids
from tests.support.salesforce_org import (
    CONSUMER_KEY,
    USERNAME,
    assertion,
    key_pair,
    running,
    set_up,
)

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
V = "/services/data/v62.0"
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
DRILL, RECORDED = "Coaching_Drill_This_Week__c", "Drill_Recorded__c"


@pytest.fixture
async def org() -> AsyncIterator[SalesforceSandbox]:
    async for box in running(NOW, batch_size=2, daily_requests=1000):
        yield box


@pytest.fixture
async def raw(org: SalesforceSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=org.base_url) as http:
        yield http


async def token(raw: httpx.AsyncClient, jwt_text: str) -> httpx.Response:
    return await raw.post(
        "/services/oauth2/token", data={"grant_type": GRANT, "assertion": jwt_text}
    )


def fresh(org: SalesforceSandbox, **claims: Any) -> str:
    return assertion(org.base_url, now=NOW.timestamp(), **claims)


@pytest.fixture
async def http(org: SalesforceSandbox, raw: httpx.AsyncClient) -> httpx.AsyncClient:
    answer = await token(raw, fresh(org))
    assert answer.status_code == 200, answer.text
    raw.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return raw


async def query(http: httpx.AsyncClient, soql: str) -> httpx.Response:
    return await http.get(f"{V}/query", params={"q": soql})


def opportunities(org: SalesforceSandbox) -> tuple[str, list[str]]:
    owner = org.add_user("dana@example.com", name="Dana Rao")
    stages = ["Prospecting", "Qualification", "Closed Won", "Negotiation/Review"]
    made = [
        org.add_opportunity(
            owner,
            f"Deal {n}",
            stage,
            amount=1000 * (n + 1),
            close_date=date(2026, 12, 18),
            modified_at=NOW - timedelta(days=n),
        )
        for n, stage in enumerate(stages)
    ]
    return owner, made


async def test_a_signed_assertion_gets_a_session_shaped_as_documented(
    org: SalesforceSandbox, raw: httpx.AsyncClient
) -> None:
    answer = await token(raw, fresh(org))
    body = answer.json()
    assert answer.status_code == 200
    assert set(body) == {"access_token", "scope", "instance_url", "id", "token_type"}
    assert body["instance_url"] == org.base_url and body["token_type"] == "Bearer"
    user = next(iter(org.users))
    assert body["id"] == f"{org.base_url}/id/{org.org_id}/{user}"
    assert body["access_token"].startswith(org.org_id[:15] + "!")
    assert org.token_requests()[0].body == {"grant_type": GRANT}  # the assertion not kept


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"key": key_pair("other").private_pem}, "invalid_grant", "invalid assertion"),
        ({"iss": "3MVG9unknown"}, "invalid_client_id", "client identifier invalid"),
        ({"aud": "https://evil.example"}, "invalid_grant", "audience is invalid"),
        ({"aud": "https://test.salesforce.com"}, "invalid_grant", "audience is invalid"),
        ({"exp_in_s": -120}, "invalid_grant", "expired authorization code"),
        ({"exp_in_s": 3600}, "invalid_grant", "expired authorization code"),
        ({"sub": "nobody@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
    ],
)
async def test_the_token_endpoint_refuses_what_salesforce_refuses(
    org: SalesforceSandbox,
    raw: httpx.AsyncClient,
    claims: dict[str, Any],
    error: str,
    description: str,
) -> None:
    aud = claims.pop("aud", org.base_url)
    answer = await token(raw, assertion(aud, now=NOW.timestamp(), **claims))
    assert answer.status_code == 400
    assert answer.json() == {"error": error, "error_description": description}
    assert org.sessions == {} and org.token_requests()[0].accepted is False


async def test_a_tampered_signature_an_hs256_token_and_a_wrong_grant_are_refused(
    org: SalesforceSandbox, raw: httpx.AsyncClient
) -> None:
    good = fresh(org)
    tampered = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    hs = __import__("jwt").encode(
        {"iss": CONSUMER_KEY, "sub": USERNAME, "aud": org.base_url, "exp": 9999999999},
        "a-shared-secret-of-32-bytes-or-more",
    )
    for bad in (tampered, hs, "not-a-jwt"):
        answer = await token(raw, bad)
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    wrong = await raw.post("/services/oauth2/token", data={"grant_type": "password"})
    assert wrong.json() == {
        "error": "unsupported_grant_type",
        "error_description": "grant type not supported",
    }
    prod = await token(raw, assertion("https://login.salesforce.com", now=NOW.timestamp()))
    assert prod.status_code == 200  # a production org takes login.salesforce.com


async def test_a_session_expires_and_a_bad_token_is_refused(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    invalid = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert (await query(http, "SELECT Id FROM User")).status_code == 200
    org.expire_sessions()
    answer = await query(http, "SELECT Id FROM User")
    assert answer.status_code == 401 and answer.json() == invalid
    bad = await http.get(
        f"{V}/query",
        params={"q": "SELECT Id FROM User"},
        headers={"Authorization": "Bearer 00Dforged!token"},
    )
    assert bad.status_code == 401 and bad.json() == invalid
    # a session unused for longer than its lifetime times out
    renewed = (await token(http, fresh(org))).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {renewed}"
    org.clock.set(NOW + timedelta(hours=1, minutes=59))  # type: ignore[attr-defined]
    assert (await query(http, "SELECT Id FROM User")).status_code == 200
    org.clock.set(NOW + timedelta(hours=4))  # type: ignore[attr-defined]
    assert (await query(http, "SELECT Id FROM User")).json() == invalid


async def test_soql_is_evaluated_where_in_order_by_limit(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    owner, made = opportunities(org)
    answer = await query(
        http,
        "SELECT Id, Name, StageName, Amount, CloseDate, LastModifiedDate FROM Opportunity"
        f" WHERE IsClosed = false AND OwnerId IN ('{owner}', '{ids.make(ids.USER, 1)}')"
        " ORDER BY LastModifiedDate ASC LIMIT 2",
    )
    body = answer.json()
    assert answer.status_code == 200 and body["totalSize"] == 2 and body["done"] is True
    assert [r["Name"] for r in body["records"]] == ["Deal 3", "Deal 1"]
    first = body["records"][0]
    assert first["attributes"] == {
        "type": "Opportunity",
        "url": f"{V}/sobjects/Opportunity/{made[3]}",
    }
    assert first["LastModifiedDate"] == "2026-11-29T09:30:00.000+0000"
    assert first["CloseDate"] == "2026-12-18" and first["Amount"] == 4000.0
    assert set(first) == {
        "attributes",
        "Id",
        "Name",
        "StageName",
        "Amount",
        "CloseDate",
        "LastModifiedDate",
    }
    escaped = await query(http, "SELECT Id FROM Opportunity WHERE Name != 'Deal \\'0'")
    assert escaped.json()["totalSize"] == 4
    by_id = await query(http, f"SELECT Name FROM Opportunity WHERE Id = '{made[1][:15]}'")
    assert [r["Name"] for r in by_id.json()["records"]] == ["Deal 1"]
    stages = await query(http, "SELECT ApiName, SortOrder FROM OpportunityStage WHERE IsWon = true")
    assert [r["ApiName"] for r in stages.json()["records"]] == ["Closed Won"]


@pytest.mark.parametrize(
    ("soql", "code", "tail"),
    [
        (
            "SELECT Id, Foo FROM Opportunity",
            "INVALID_FIELD",
            "ERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Opportunity'. If you",
        ),
        (
            "SELECT Id FROM Opportunity WHERE Bar__c = 'x'",
            "INVALID_FIELD",
            "No such column 'Bar__c' on entity 'Opportunity'.",
        ),
        ("SELECT Id FROM Deal", "INVALID_TYPE", "sObject type 'Deal' is not supported."),
        ("SELECT Id FROM", "MALFORMED_QUERY", "Column:15\nunexpected token: <EOF>"),
        ("SELECT Id FROM User WHERE IsActive = true OR", "MALFORMED_QUERY", "token: OR"),
        ("SELECT Id FROM User LIMIT x", "MALFORMED_QUERY", "unexpected token: x"),
        (
            "SELECT Id FROM User WHERE IsActive = 'true'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "must be of type boolean and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Opportunity WHERE Id IN ('006x')",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: 006x",
        ),
    ],
)
async def test_bad_soql_gets_salesforces_errors(
    http: httpx.AsyncClient, soql: str, code: str, tail: str
) -> None:
    answer = await query(http, soql)
    [error] = answer.json()
    assert answer.status_code == 400 and error["errorCode"] == code
    assert error["message"].startswith(f"\n{soql}\n") and tail in error["message"]


async def test_batches_follow_next_records_url_to_the_end(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    opportunities(org)
    org.add_opportunity(next(iter(org.users)), "Deal 4", "Prospecting", modified_at=NOW)
    names: list[str] = []
    answer = (await query(http, "SELECT Name FROM Opportunity ORDER BY Name DESC")).json()
    urls = []
    while True:
        assert answer["totalSize"] == 5
        names += [r["Name"] for r in answer["records"]]
        if answer["done"]:
            assert "nextRecordsUrl" not in answer
            break
        urls.append(answer["nextRecordsUrl"])
        answer = (await http.get(answer["nextRecordsUrl"])).json()
    assert names == [f"Deal {n}" for n in range(4, -1, -1)]
    assert len(urls) == 2 and urls[0].startswith(f"{V}/query/01g") and urls[0].endswith("-2")
    gone = await http.get(urls[0])  # the cursor ended with its last batch
    assert gone.status_code == 400
    assert gone.json() == [
        {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
    ]
    unknown = await http.get(f"{V}/query/01gDn0000000000AAA-2")
    assert unknown.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


async def test_versions_resources_and_methods(http: httpx.AsyncClient) -> None:
    not_found = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
    for path in ("/services/data/v99.0/query", "/services/data/v29.0/query", f"{V}/nothing"):
        answer = await http.get(path, params={"q": "SELECT Id FROM User"})
        assert answer.status_code == 404 and answer.json() == not_found
    wrong = await http.post(f"{V}/query", json={})
    assert wrong.status_code == 405 and wrong.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    described = (await http.get(f"{V}/sobjects/Opportunity/describe")).json()
    fields = {f["name"]: f for f in described["fields"]}
    assert described["name"] == "Opportunity"
    assert fields[DRILL]["type"] == "string" and fields[DRILL]["length"] == 255
    assert fields[RECORDED]["type"] == "boolean" and fields[RECORDED]["updateable"] is True
    assert fields["IsClosed"]["updateable"] is False


async def test_the_limit_header_and_request_limit_exceeded() -> None:
    org = SalesforceSandbox(daily_requests=3)
    set_up(org)
    await org.start()
    try:
        async with httpx.AsyncClient(base_url=org.base_url) as http:
            session = (await token(http, assertion(org.base_url))).json()
            http.headers["Authorization"] = f"Bearer {session['access_token']}"
            seen = []
            for _ in range(4):
                answer = await query(http, "SELECT Id FROM User")
                seen.append((answer.status_code, answer.headers["Sforce-Limit-Info"]))
            refused = answer.json()
    finally:
        await org.stop()
    assert seen == [
        (200, "api-usage=1/3"),
        (200, "api-usage=2/3"),
        (200, "api-usage=3/3"),
        (403, "api-usage=3/3"),
    ]
    assert refused == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert len(org.token_requests()) == 1 and org.usage.used == 3  # the token did not count


async def patch(
    http: httpx.AsyncClient, records: list[dict[str, Any]], **extra: Any
) -> httpx.Response:
    return await http.patch(f"{V}/composite/sobjects", json={"records": records, **extra})


def opp(record_id: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Opportunity"}, "id": record_id, **fields}


async def test_a_collection_update_saves_each_record_and_reports_each(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    _, made = opportunities(org)
    org.delete_opportunity(made[2])
    org.clock.set(NOW + timedelta(hours=1))  # type: ignore[attr-defined]
    never = ids.make(ids.OPPORTUNITY, 999)
    answer = await patch(
        http,
        [
            opp(made[0], **{DRILL: "Mutual action plan", RECORDED: True}),
            opp(made[1][:15], **{DRILL: "x" * 256}),
            opp(made[2], **{RECORDED: True}),
            opp(never, **{RECORDED: True}),
            opp("006notAnId", **{RECORDED: True}),
            opp(made[3], IsClosed=True),
        ],
    )
    assert answer.status_code == 200
    results = answer.json()
    assert results[0] == {"id": made[0], "success": True, "errors": []}
    codes = [[e["statusCode"] for e in r["errors"]] for r in results[1:]]
    assert codes == [
        ["STRING_TOO_LONG"],
        ["ENTITY_IS_DELETED"],
        ["INVALID_CROSS_REFERENCE_KEY"],
        ["MALFORMED_ID"],
        ["INVALID_FIELD_FOR_INSERT_UPDATE"],
    ]
    assert results[4]["errors"][0] == {
        "statusCode": "MALFORMED_ID",
        "message": "Opportunity ID: id value of incorrect type: 006notAnId",
        "fields": ["Id"],
    }
    saved = org.opportunity(made[0])
    assert saved[DRILL] == "Mutual action plan" and saved[RECORDED] is True
    assert saved["LastModifiedDate"] == NOW + timedelta(hours=1)
    assert org.opportunity(made[1])[DRILL] is None
    assert org.writes_to(made[0], RECORDED) == [True] and org.writes_to(made[1], DRILL) == []
    changed = await query(
        http, "SELECT Name FROM Opportunity ORDER BY LastModifiedDate DESC LIMIT 1"
    )
    assert changed.json()["records"][0]["Name"] == "Deal 0"


async def test_all_or_none_rolls_everything_back(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    _, made = opportunities(org)
    org.delete_opportunity(made[1])
    answer = await patch(
        http,
        [opp(made[0], **{RECORDED: True}), opp(made[1], **{RECORDED: True})],
        allOrNone=True,
    )
    first, second = answer.json()
    assert first["success"] is False
    assert first["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert second["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert org.opportunity(made[0])[RECORDED] is False and org.accepted_writes == []


async def test_an_update_the_parser_cannot_read_is_refused_whole(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    _, made = opportunities(org)
    wrong_type = await patch(http, [opp(made[0], **{DRILL: "ok", RECORDED: "yes"})])
    [error] = wrong_type.json()
    assert wrong_type.status_code == 400 and error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"].startswith(
        "Cannot deserialize instance of boolean from VALUE_STRING value yes"
    )
    org.drop_field(DRILL)
    unknown = await patch(http, [opp(made[0], **{DRILL: "ok", RECORDED: True})])
    assert unknown.status_code == 400 and unknown.json() == [
        {
            "message": f"No such column '{DRILL}' on sobject of type Opportunity",
            "errorCode": "INVALID_FIELD",
        }
    ]
    too_many = await patch(http, [opp(made[0], **{RECORDED: True})] * 201)
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    untyped = await patch(http, [{"id": made[0], RECORDED: True}])
    assert untyped.json() == [
        {"message": "Must send a concrete entity type.", "errorCode": "INVALID_TYPE"}
    ]
    assert org.accepted_writes == [] and org.opportunity(made[0])[RECORDED] is False
    described = (await http.get(f"{V}/sobjects/Opportunity/describe")).json()
    assert DRILL not in {f["name"] for f in described["fields"]}


async def test_faults_outage_scripted_refusals_and_429(
    org: SalesforceSandbox, http: httpx.AsyncClient
) -> None:
    org.go_down(503)
    down = await query(http, "SELECT Id FROM User")
    assert down.status_code == 503 and "text/html" in down.headers["Content-Type"]
    org.come_back()
    org.fail_next(1, 403, "REQUEST_LIMIT_EXCEEDED")
    refused = await query(http, "SELECT Id FROM User")
    assert (refused.status_code, refused.json()[0]["message"]) == (
        403,
        "TotalRequests Limit exceeded.",
    )
    org.rate_limit_next(1, retry_after=7)
    limited = await query(http, "SELECT Id FROM User")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert (await query(http, "SELECT Id FROM User")).status_code == 200
    assert [r.accepted for r in org.requests_to(f"{V}/query")] == [False, False, False, True]
