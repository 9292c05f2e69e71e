"""The Gong stand-in over real HTTP: Basic auth, cursor paging, filters, limits, faults, and
answers shaped like the recorded examples in tests/data/gong (docs/gong-api.md)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.clock import FrozenClock
from app.sandbox.gong import NO_CALLS, GongSandbox

DATA = Path(__file__).resolve().parent.parent / "data" / "gong"
MONDAY = datetime(2025, 11, 17, tzinfo=UTC)
ALL_INTERACTION = {"speakers": True, "personInteractionStats": True, "questions": True}


def basic(key: str = "gong-sandbox-key", secret: str = "gong-sandbox-secret") -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def week_filter(*user_ids: str, start: datetime = MONDAY) -> dict[str, Any]:
    return {
        "fromDateTime": start.isoformat().replace("+00:00", "Z"),
        "toDateTime": (start + timedelta(days=7)).isoformat(),
        "primaryUserIds": list(user_ids),
    }


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def key_paths(node: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list items share one path ('calls[].metaData.id')."""
    paths = {prefix} if prefix else set()
    if isinstance(node, dict):
        for key, value in node.items():
            paths |= key_paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(node, list):
        for item in node:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


async def started(gong: GongSandbox) -> AsyncIterator[httpx.AsyncClient]:
    base = await gong.start()
    try:
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": basic()}) as http:
            yield http
    finally:
        await gong.stop()


@pytest.fixture
async def gong() -> AsyncIterator[GongSandbox]:
    # generous limits: tests of the limits build their own sandbox
    sandbox = GongSandbox(page_size=2, per_second=1000)
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http(gong: GongSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(gong):
        yield client


async def calls(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post("/v2/calls/extensive", json=body)


# --- auth ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        basic(secret="wrong-secret"),
        basic(key="someone-else"),
        "Bearer eyJhbGciOiJIUzI1NiJ9.garbage.garbage",
        "Basic not-base64!!",
    ],
    ids=["missing", "wrong-secret", "wrong-key", "bearer-garbage", "basic-garbage"],
)
async def test_credentials_refused_with_401_and_errors_body(
    gong: GongSandbox, http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with httpx.AsyncClient(base_url=gong.base_url, headers=headers) as anonymous:
        answer = await anonymous.get("/v2/users")
    assert answer.status_code == 401
    body = answer.json()
    assert set(body) == {"requestId", "errors"}
    assert body["errors"] == ["Access denied"]
    assert body["requestId"].isalnum()
    assert gong.requests[-1].status == 401 and not gong.requests[-1].accepted


async def test_right_credentials_are_let_in(gong: GongSandbox, http: httpx.AsyncClient) -> None:
    gong.add_user("maya@northwind.com", "Maya", "Lindqvist")
    answer = await http.get("/v2/users")
    assert answer.status_code == 200
    assert answer.json()["users"][0]["emailAddress"] == "maya@northwind.com"


# --- users -----------------------------------------------------------------------------
async def test_users_come_in_three_pages_of_two_with_a_cursor(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    ids = [gong.add_user(f"rep{n}@northwind.com", f"Rep{n}", "Smith") for n in range(5)]
    assert all(i.isdigit() and len(i) <= 20 for i in ids) and len(set(ids)) == 5
    seen: list[str] = []
    pages = []
    cursor: str | None = None
    while True:
        answer = await http.get("/v2/users", params={"cursor": cursor} if cursor else None)
        assert answer.status_code == 200
        body = answer.json()
        pages.append(body["records"])
        seen += [user["id"] for user in body["users"]]
        cursor = body["records"].get("cursor")
        if cursor is None:
            break
    assert seen == ids
    assert [p["currentPageSize"] for p in pages] == [2, 2, 1]
    assert [p["currentPageNumber"] for p in pages] == [0, 1, 2]
    assert {p["totalRecords"] for p in pages} == {5}
    assert "cursor" in pages[0] and "cursor" in pages[1] and "cursor" not in pages[2]
    assert [r.query.get("cursor") is None for r in gong.requests_to("/v2/users")] == [
        True,
        False,
        False,
    ]


async def test_a_made_up_cursor_is_refused(http: httpx.AsyncClient) -> None:
    answer = await http.get("/v2/users", params={"cursor": "eyJnb3QiOiJ5b3UifQ"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0].startswith("cursor:")


# --- calls -----------------------------------------------------------------------------
async def test_calls_filtered_by_host_and_range_come_in_three_pages(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    maya = gong.add_user("maya@northwind.com", "Maya", "Lindqvist")
    dan = gong.add_user("dan@northwind.com", "Dan", "Okafor")
    sunday_night = MONDAY - timedelta(seconds=1)
    next_monday = MONDAY + timedelta(days=7)
    gong.add_call(maya, sunday_night, title="Too early - Discovery")
    at_start = gong.add_call(maya, MONDAY, title="Acme Corp - Discovery")  # from: inclusive
    rest = [
        gong.add_call(maya, MONDAY + timedelta(days=d, hours=15), title=f"Globex - Demo {d}")
        for d in (1, 2, 3, 4)
    ]
    gong.add_call(maya, next_monday, title="Too late - Kickoff")  # to: exclusive
    gong.add_call(dan, MONDAY + timedelta(hours=10), title="Initech - Discovery")

    body: dict[str, Any] = {"filter": week_filter(maya)}
    got: list[dict[str, Any]] = []
    sizes = []
    while True:
        answer = await calls(http, body)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        sizes.append(page["records"]["currentPageSize"])
        got += page["calls"]
        if "cursor" not in page["records"]:
            break
        body = {**body, "cursor": page["records"]["cursor"]}
    assert [c["metaData"]["id"] for c in got] == [at_start, *rest]
    assert sizes == [2, 2, 1]
    assert {c["metaData"]["primaryUserId"] for c in got} == {maya}
    first = got[0]["metaData"]
    assert first["started"] == "2025-11-17T00:00:00Z"
    assert first["url"] == f"https://sandbox.app.gong.io/call?id={at_start}"
    assert first["duration"] == 1800 and first["title"] == "Acme Corp - Discovery"
    assert set(got[0]) == {"metaData"}  # nothing else was asked for


async def test_offsets_in_the_range_are_honoured(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    maya = gong.add_user("maya@northwind.com")
    call = gong.add_call(maya, datetime(2025, 11, 17, 17, 30, tzinfo=UTC))
    # 09:00-08:00 is 17:00Z: the call is in; until 09:30-08:00 (17:30Z) it is out
    span = {"fromDateTime": "2025-11-17T09:00:00-08:00", "toDateTime": "2025-11-17T09:31:00-08:00"}
    answer = await calls(http, {"filter": span})
    assert [c["metaData"]["id"] for c in answer.json()["calls"]] == [call]
    span["toDateTime"] = "2025-11-17T09:30:00-08:00"
    assert (await calls(http, {"filter": span})).status_code == 404


async def test_a_cursor_sent_with_a_different_filter_is_refused(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    maya = gong.add_user("maya@northwind.com")
    dan = gong.add_user("dan@northwind.com")
    gong.seed_week(maya, MONDAY, 5, random.Random(1))
    gong.seed_week(dan, MONDAY, 5, random.Random(2))
    first = (await calls(http, {"filter": week_filter(maya)})).json()
    cursor = first["records"]["cursor"]
    for other in (
        {"filter": week_filter(dan), "cursor": cursor},
        {"filter": week_filter(maya, dan), "cursor": cursor},
        {
            "filter": week_filter(maya),
            "cursor": cursor,
            "contentSelector": {"exposedFields": {"parties": True}},
        },
    ):
        answer = await calls(http, other)
        assert answer.status_code == 400
        assert "same inputs" in answer.json()["errors"][0]
    same = await calls(http, {"filter": week_filter(maya), "cursor": cursor})
    assert same.status_code == 200


async def test_nothing_matching_is_404_with_gongs_body(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    maya = gong.add_user("maya@northwind.com")
    gong.seed_week(maya, MONDAY, 4, random.Random(3))
    for body in (
        {"filter": week_filter(maya, start=MONDAY + timedelta(days=7))},  # an empty week
        {"filter": week_filter("999999999999999")},  # an unknown user
        {"filter": {**week_filter(maya), "workspaceId": "111111111111111"}},
    ):
        answer = await calls(http, body)
        assert answer.status_code == 404
        assert answer.json()["errors"] == [NO_CALLS]
        assert set(answer.json()) == set(recorded("error_no_calls.json"))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "filter"),
        ({"filter": "this week"}, "filter"),
        ({"filter": {"fromDateTime": "last monday"}}, "fromDateTime"),
        ({"filter": {"toDateTime": "2025-11-17T00:00:00"}}, "time zone"),
        ({"filter": {"primaryUserIds": "234599484848423"}}, "primaryUserIds"),
        ({"filter": {}, "contentSelector": {"exposedFields": {"interaction": {"x": True}}}}, "x"),
        ({"filter": {}, "cursor": 7}, "cursor"),
    ],
)
async def test_malformed_bodies_are_400(
    http: httpx.AsyncClient, body: dict[str, Any], words: str
) -> None:
    answer = await calls(http, body)
    assert answer.status_code == 400
    assert words in answer.json()["errors"][0]


async def test_a_body_that_is_not_json_is_400(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/v2/calls/extensive", content=b"{filter:", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"requestId", "errors"}


async def test_parts_come_only_when_asked(gong: GongSandbox, http: httpx.AsyncClient) -> None:
    maya = gong.add_user("maya@northwind.com", "Maya", "Lindqvist")
    measured = gong.add_call(
        maya,
        MONDAY + timedelta(hours=9),
        title="Acme Corp - Discovery",
        talk_time_s=700,
        customer_talk_time_s=800,
        longest_monologue_s=95,
        longest_customer_story_s=130,
        interactivity=6.5,
        patience_s=1.1,
        questions_company=14,
        questions_non_company=4,
    )
    unmeasured = gong.add_call(maya, MONDAY + timedelta(hours=11), title="Globex - Demo")

    async def ask(exposed: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"filter": week_filter(maya), "contentSelector": {"exposedFields": exposed}}
        answer = await calls(http, body)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["calls"])

    assert [set(c) for c in await ask({})] == [{"metaData"}] * 2
    assert [set(c) for c in await ask({"parties": True})] == [{"metaData", "parties"}] * 2
    only_speakers = await ask({"interaction": {"speakers": True}})
    assert set(only_speakers[0]["interaction"]) == {"speakers"}

    both = await ask({"parties": True, "interaction": ALL_INTERACTION})
    full, bare = both
    assert full["metaData"]["id"] == measured and bare["metaData"]["id"] == unmeasured
    rep, customer = full["parties"]
    assert rep["userId"] == maya and rep["affiliation"] == "Internal"
    assert "userId" not in customer and customer["affiliation"] == "External"
    assert customer["emailAddress"].endswith("@acmecorp.com")
    assert full["interaction"]["speakers"] == [
        {"id": rep["id"], "userId": maya, "talkTime": 700},
        {"id": customer["id"], "talkTime": 800},
    ]
    assert {s["name"]: s["value"] for s in full["interaction"]["interactionStats"]} == {
        "Longest Monologue": 95,
        "Longest Customer Story": 130,
        "Interactivity": 6.5,
        "Patience": 1.1,
    }
    assert full["interaction"]["questions"] == {"companyCount": 14, "nonCompanyCount": 4}
    # a call the account has no stats for
    assert bare["interaction"] == {"speakers": [], "interactionStats": []}


async def test_media_urls_are_refused(gong: GongSandbox, http: httpx.AsyncClient) -> None:
    maya = gong.add_user("maya@northwind.com")
    gong.add_call(maya, MONDAY)
    body = {"filter": week_filter(maya), "contentSelector": {"exposedFields": {"media": True}}}
    answer = await calls(http, body)
    assert answer.status_code == 403
    assert "api:calls:read:media-url" in answer.json()["errors"][0]


# --- limits ----------------------------------------------------------------------------
async def test_a_fourth_call_within_a_second_is_429_with_retry_after() -> None:
    gong = GongSandbox()
    async for http in started(gong):
        answers = await asyncio.gather(*(http.get("/v2/users") for _ in range(4)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 200, 200, 429]
        refused = next(a for a in answers if a.status_code == 429)
        assert int(refused.headers["Retry-After"]) >= 1
        assert set(refused.json()) == set(recorded("error_rate_limited.json"))
        assert gong.max_in_any_second() == 4
        assert gong.max_in_any_second(accepted_only=True) == 3


async def test_a_slot_frees_a_second_after_the_oldest_call() -> None:
    gong = GongSandbox(per_second=3)
    now = [1000.0]
    gong.monotonic = lambda: now[0]
    async for http in started(gong):
        for step in (0.0, 0.3, 0.6):
            now[0] = 1000.0 + step
            assert (await http.get("/v2/users")).status_code == 200
        now[0] = 1000.9
        refused = await http.get("/v2/users")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        now[0] = 1001.0  # the first call has left the window
        assert (await http.get("/v2/users")).status_code == 200
        now[0] = 1001.1
        assert (await http.get("/v2/users")).status_code == 429


async def test_the_daily_cap_holds_until_utc_midnight() -> None:
    gong = GongSandbox(per_second=100, per_day=4)
    clock = FrozenClock(datetime(2025, 11, 17, 23, 59, 30, tzinfo=UTC))
    gong.clock = clock
    async for http in started(gong):
        assert [(await http.get("/v2/users")).status_code for _ in range(4)] == [200] * 4
        capped = await http.get("/v2/users")
        assert capped.status_code == 429 and capped.headers["Retry-After"] == "30"
        clock.set(datetime(2025, 11, 18, 0, 0, 1, tzinfo=UTC))
        assert (await http.get("/v2/users")).status_code == 200
        assert gong.limiter.used_today == 1


# --- faults ----------------------------------------------------------------------------
async def test_a_revoked_key_is_refused_from_then_on(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    assert (await http.get("/v2/users")).status_code == 200
    gong.refuse_credentials()
    for _ in range(2):
        answer = await http.get("/v2/users")
        assert answer.status_code == 401 and answer.json()["errors"] == ["Access denied"]


async def test_going_down_answers_like_a_proxy_then_comes_back(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    gong.go_down()
    answer = await http.get("/v2/users")
    assert answer.status_code == 503
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<html>" in answer.text
    gong.go_down(502)
    assert (await http.get("/v2/users")).status_code == 502
    gong.go_down(500)
    answer = await http.get("/v2/users")
    assert answer.status_code == 500 and set(answer.json()) == {"requestId", "errors"}
    gong.come_back()
    assert (await http.get("/v2/users")).status_code == 200
    assert [r.accepted for r in gong.requests] == [False, False, False, True]


async def test_rate_limit_next_scripts_429s(gong: GongSandbox, http: httpx.AsyncClient) -> None:
    gong.rate_limit_next(2, retry_after=5)
    first, second, third = [await http.get("/v2/users") for _ in range(3)]
    assert (first.status_code, first.headers["Retry-After"]) == (429, "5")
    assert (second.status_code, second.headers["Retry-After"]) == (429, "5")
    assert third.status_code == 200
    assert gong.max_in_any_second(accepted_only=True) == 1


async def test_slow_down_delays_the_answer(gong: GongSandbox, http: httpx.AsyncClient) -> None:
    gong.slow_down(0.2)
    began = time.monotonic()
    assert (await http.get("/v2/users")).status_code == 200
    assert time.monotonic() - began >= 0.2
    gong.slow_down(0)
    began = time.monotonic()
    await http.get("/v2/users")
    assert time.monotonic() - began < 0.2


async def test_the_log_keeps_bodies_queries_and_times(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    maya = gong.add_user("maya@northwind.com")
    gong.add_call(maya, MONDAY)
    await http.get("/v2/users", params={"includeAvatars": "false"})
    await calls(http, {"filter": week_filter(maya)})
    users, extensive = gong.requests
    assert (users.method, users.path, users.query) == (
        "GET",
        "/v2/users",
        {"includeAvatars": "false"},
    )
    assert users.body is None and users.wall.tzinfo is not None
    assert extensive.body == {"filter": week_filter(maya)} and extensive.status == 200
    assert extensive.monotonic >= users.monotonic
    assert gong.requests_to("/v2/calls/extensive") == [extensive]


# --- seeding ---------------------------------------------------------------------------
async def test_seed_week_makes_realistic_repeatable_calls() -> None:
    def seeded() -> tuple[GongSandbox, str, list[str]]:
        gong = GongSandbox()
        rep = gong.add_user("maya@northwind.com", "Maya", "Lindqvist")
        return gong, rep, gong.seed_week(rep, MONDAY, 12, random.Random(7))

    gong, rep, ids = seeded()
    assert seeded()[2] == ids and len(ids) == 12
    for call in (gong.calls[i] for i in ids):
        assert MONDAY <= call.started < MONDAY + timedelta(days=5)
        assert 9 <= call.started.hour < 17
        assert " - " in call.title and call.user_id == rep
        assert call.talk_time_s is not None and call.customer_talk_time_s is not None
        assert call.talk_time_s + call.customer_talk_time_s < call.duration_s
        assert set(call.stats) == {
            "Longest Monologue",
            "Longest Customer Story",
            "Interactivity",
            "Patience",
        }
        assert 0 < call.stats["Interactivity"] <= 10 and call.questions is not None


# --- shape ------------------------------------------------------------------------------
OPTIONAL = {
    # the stand-in's users have no aliases, desk extension or manager
    "users[].emailAliases[]",
    "users[].extension",
    "users[].managerId",
}


async def test_answers_have_the_recorded_examples_key_structure(
    gong: GongSandbox, http: httpx.AsyncClient
) -> None:
    reps = [gong.add_user(f"rep{n}@northwind.com", f"Rep{n}", "Smith") for n in range(3)]
    gong.seed_week(reps[0], MONDAY, 3, random.Random(5))
    users = (await http.get("/v2/users")).json()
    body = {
        "filter": week_filter(reps[0]),
        "contentSelector": {"exposedFields": {"parties": True, "interaction": ALL_INTERACTION}},
    }
    extensive = (await calls(http, body)).json()
    no_calls = (await calls(http, {"filter": week_filter(reps[1])})).json()
    for mine, name in (
        (users, "users_page.json"),
        (extensive, "calls_extensive_page.json"),
        (no_calls, "error_no_calls.json"),
    ):
        reference = key_paths(recorded(name))
        assert key_paths(mine) <= reference, f"{name}: keys the reference lacks"
        assert reference - OPTIONAL <= key_paths(mine), f"{name}: keys missing"


def test_recorded_examples_are_realistic() -> None:
    users = recorded("users_page.json")
    assert len(users["users"]) == 2 and "cursor" in users["records"]
    page = recorded("calls_extensive_page.json")
    assert len(page["calls"]) == 2
    for call in page["calls"]:
        assert {"metaData", "parties", "interaction"} <= set(call)
        assert datetime.fromisoformat(call["metaData"]["started"]).tzinfo is not None
        affiliations = {p["affiliation"] for p in call["parties"]}
        assert affiliations == {"Internal", "External"}
        speakers = call["interaction"]["speakers"]
        assert [("userId" in s) for s in speakers] == [True, False]
        names = [s["name"] for s in call["interaction"]["interactionStats"]]
        assert names == ["Longest Monologue", "Longest Customer Story", "Interactivity", "Patience"]
        assert set(call["interaction"]["questions"]) == {"companyCount", "nonCompanyCount"}
    everything = json.dumps([recorded(p.name) for p in sorted(DATA.glob("*.json"))])
    assert '"string"' not in everything and "example.com" not in everything
    for name in ("error_no_calls.json", "error_access_denied.json", "error_malformed.json"):
        assert set(recorded(name)) == {"requestId", "errors"}
