"""The Gong client against the local stand-in and against Gong's documented JSON: pages to
the end, Retry-After honoured through the shared pace, refusals and outages told apart."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import RecorderCredentials
from app.db.store import Store
from app.deps import Deps
from app.recorder.gong import GongRecorder, parse_call, retry_after_s
from app.recorder.pace import SharedPace
from app.recorder.provider import RecorderRefused, RecorderUnavailable
from app.rules.call_stats import Window
from app.sandbox.gong import GongSandbox
from tests.support.factories import seed_org
from tests.support.processes import coach_env

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "gong"
WEEK = Window(datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
async def workspace_id(deps: Deps) -> int:
    async with deps.db.begin() as session:
        return (await Store(session).ensure_workspace("T0GONG", deps.clock())).id


@pytest.fixture
async def gong() -> AsyncIterator[GongSandbox]:
    box = GongSandbox(page_size=2)
    await box.start()
    yield box
    await box.stop()


def client(deps: Deps, workspace_id: int, gong: GongSandbox, **keys: str) -> GongRecorder:
    credentials = RecorderCredentials(
        gong.base_url,
        keys.get("key", gong.access_key),
        keys.get("secret", gong.access_key_secret),
    )
    return GongRecorder(credentials, SharedPace(deps.db, workspace_id))


async def test_users_and_calls_are_read_across_three_pages(
    deps: Deps, workspace_id: int, gong: GongSandbox
) -> None:
    ids = [gong.add_user(f"rep{n}@example.com", f"Rep{n}") for n in range(5)]
    for n in range(5):
        gong.add_call(ids[0], WEEK.start + timedelta(days=n, hours=15), title=f"Call {n}")
    gong.add_call(ids[0], WEEK.end + timedelta(hours=1))  # the week after: not asked for
    gong.add_call(ids[1], WEEK.start + timedelta(hours=15))  # another host: not asked for
    recorder = client(deps, workspace_id, gong)
    try:
        users = [u async for page in recorder.user_pages() for u in page.items]
        calls = [c async for page in recorder.call_pages([ids[0]], WEEK) for c in page.items]
    finally:
        await recorder.close()
    assert sorted(u.email for u in users) == [f"rep{n}@example.com" for n in range(5)]
    assert sorted(c.title for c in calls) == [f"Call {n}" for n in range(5)]
    assert len(gong.requests_to("/v2/users")) == 3
    pages = gong.requests_to("/v2/calls/extensive")
    assert len(pages) == 3 and all(p.status == 200 for p in pages)
    bodies = [p.body for p in pages]
    assert all(b is not None and b["filter"] == bodies[0]["filter"] for b in bodies)  # type: ignore[index]
    assert [b.get("cursor") is not None for b in bodies if b is not None] == [False, True, True]
    assert "media" not in json.dumps(bodies[0])  # links and numbers only


async def test_a_429_is_honoured_no_request_before_retry_after(
    deps: Deps, workspace_id: int, gong: GongSandbox
) -> None:
    user = gong.add_user("rep@example.com")
    gong.add_call(user, WEEK.start + timedelta(hours=15))
    gong.rate_limit_next(count=1, retry_after=2)
    recorder = client(deps, workspace_id, gong)
    try:
        calls = [c async for page in recorder.call_pages([user], WEEK) for c in page.items]
    finally:
        await recorder.close()
    assert len(calls) == 1
    limited, retried = gong.requests_to("/v2/calls/extensive")
    assert limited.status == 429 and retried.status == 200
    assert retried.monotonic - limited.monotonic >= 2.0


async def test_a_refused_key_and_an_outage_are_told_apart(
    deps: Deps, workspace_id: int, gong: GongSandbox
) -> None:
    wrong = client(deps, workspace_id, gong, secret="not-the-secret")
    with pytest.raises(RecorderRefused) as refused:
        _ = [u async for page in wrong.user_pages() for u in page.items]
    assert refused.value.code == "http_401"
    await wrong.close()
    gong.go_down(503)
    down = client(deps, workspace_id, gong)
    with pytest.raises(RecorderUnavailable) as unavailable:
        _ = [u async for page in down.user_pages() for u in page.items]
    assert unavailable.value.code == "http_503"
    await down.close()


async def test_the_reference_json_reads_as_gong_documents_it(deps: Deps, workspace_id: int) -> None:
    """Gong's documented bodies, served as recorded: the users page with its cursor, the
    calls page with parties and interaction, and the 404 of a filter with no calls."""
    users_page, calls_page = recorded("users_page.json"), recorded("calls_extensive_page.json")
    last_users = {**users_page, "records": {"totalRecords": 2, "currentPageSize": 2}}
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.headers["Authorization"].startswith("Basic ")
        if request.url.path == "/v2/users":
            return httpx.Response(
                200, json=last_users if "cursor" in request.url.params else users_page
            )
        body = json.loads(request.content)
        if body["filter"]["primaryUserIds"] == ["1"]:
            return httpx.Response(404, json=recorded("error_no_calls.json"))
        if "cursor" in body:
            return httpx.Response(200, json={**calls_page, "records": {"totalRecords": 2}})
        return httpx.Response(200, json=calls_page)

    credentials = RecorderCredentials("https://us-48213.api.gong.io", "key", "secret")
    recorder = GongRecorder(
        credentials,
        SharedPace(deps.db, workspace_id),
        http=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
    )
    try:
        users = [u async for page in recorder.user_pages() for u in page.items]
        host = calls_page["calls"][0]["metaData"]["primaryUserId"]
        calls = [c async for page in recorder.call_pages([host], WEEK) for c in page.items]
        none = [c async for page in recorder.call_pages(["1"], WEEK) for c in page.items]
    finally:
        await recorder.close()
    assert len(users) == 4 and users[0].email == "maya.lindqvist@northwind-sales.com"
    assert none == [] and len(calls) == 2 * len(calls_page["calls"])
    first = calls[0]
    assert first.url == "https://us-48213.app.gong.io/call?id=7782342274025937895"
    assert first.started_at == datetime(2025, 11, 17, 17, 2, 14, tzinfo=UTC)
    assert first.numbers.talk_ratio == pytest.approx(731.4 / (731.4 + 842.9))
    assert first.numbers.longest_monologue_s == 118 and first.numbers.patience_s == 1.14
    assert first.numbers.question_rate == pytest.approx(17 * 3600 / 1742)
    assert first.numbers.buyers == 1


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"metaData": None},
        {"metaData": {"id": "x", "url": "https://a", "started": "2026-11-17T10:00:00Z"}},
        {"metaData": {"id": "1", "url": "javascript:alert(1)", "primaryUserId": "2"}},
        {"metaData": {"id": "1", "url": "https://a", "primaryUserId": "2", "started": "soon"}},
        {
            "metaData": {
                "id": "1",
                "url": "https://a",
                "primaryUserId": "2",
                "started": "2026-11-17",
            }
        },
    ],
)
def test_a_call_gong_describes_oddly_is_skipped(raw: dict[str, Any]) -> None:
    assert parse_call(raw) is None


def test_odd_numbers_read_as_missing() -> None:
    call = parse_call(
        {
            "metaData": {
                "id": "1",
                "url": "https://x.app.gong.io/call?id=1",
                "primaryUserId": "2",
                "started": "2026-11-17T10:00:00Z",
                "duration": "long",
            },
            "interaction": {
                "interactionStats": [{"name": "Patience", "value": -1}, "odd", {"name": 3}],
                "speakers": [{"userId": "2", "talkTime": True}],
                "questions": {"companyCount": float("nan")},
            },
            "parties": "everyone",
        }
    )
    assert call is not None and call.duration_s == 0 and call.numbers.empty


async def coach(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`coach …` as its own process, without blocking the stand-in in this one."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_coach_gong_check_says_whether_it_works_and_whom_it_matched(
    deps: Deps, database_url: str, gong: GongSandbox
) -> None:
    await seed_org(deps)
    for email in ("ana@example.com", "ben@example.com", "maya@example.com", "x@example.com"):
        gong.add_user(email)
    env = coach_env(
        database_url,
        GONG_API_URL=gong.base_url,
        GONG_ACCESS_KEY=gong.access_key,
        GONG_ACCESS_KEY_SECRET=gong.access_key_secret,
    )
    code, out, err = await coach("gong", "check", env=env)
    assert code == 0, err
    assert out.startswith("Gong works: 4 users there, 3 of the 7 people on the roster matched")
    assert "U0REPB1" in out and gong.access_key_secret not in out + err

    code, out, err = await coach("gong", "check", env={**env, "GONG_ACCESS_KEY_SECRET": "nope"})
    assert code == 1 and out == ""
    assert err.strip() == (
        "Gong refused the access key (http_401): check GONG_ACCESS_KEY and "
        "GONG_ACCESS_KEY_SECRET (Gong > Company settings > API)."
    )
    code, _, err = await coach("gong", "check", env=coach_env(database_url))
    assert code == 1 and err.startswith("Set GONG_API_URL, GONG_ACCESS_KEY")
    code, _, err = await coach("gong", "check", env={**env, "GONG_API_URL": "http://gong.example"})
    assert code == 1 and "GONG_API_URL must be your Gong API base URL" in err


@pytest.mark.parametrize(
    "stats",
    [
        [{"name": ["Patience"], "value": 1}],
        [{"name": "Patience", "value": 10**400}],
        [{"name": "Interactivity", "value": float("inf")}],
    ],
)
def test_odd_stats_never_raise(stats: list[dict[str, Any]]) -> None:
    raw = {
        "metaData": {
            "id": "1",
            "url": "https://x.app.gong.io/call?id=1",
            "primaryUserId": "2",
            "started": 1e18,
        },
        "interaction": {"interactionStats": stats},
    }
    assert parse_call(raw) is None  # a start no call could have
    raw["metaData"]["started"] = "0001-01-01T00:00:00+05:00"
    assert parse_call(raw) is None
    raw["metaData"]["started"] = "2026-11-17T10:00:00Z"
    call = parse_call(raw)
    assert call is not None and call.numbers.patience_s is None
    assert call.numbers.interactivity is None


@pytest.mark.parametrize("header", ["nan", "inf", "-5", "soon", "99999999"])
def test_an_odd_retry_after_is_a_bounded_wait(header: str) -> None:
    wait = retry_after_s(httpx.Response(429, headers={"Retry-After": header}))
    assert 1.0 <= wait <= 3600.0


async def test_pages_that_never_end_or_vanish_are_gong_misbehaving(
    deps: Deps, workspace_id: int
) -> None:
    """A cursor sent back unchanged would page forever; a 404 on a later page would cut the
    week short: both end the read as Gong being unavailable, and the week is not marked read."""
    page = recorded("calls_extensive_page.json")

    def looping(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "cursor" in body:
            return httpx.Response(200, json={**page, "records": {"cursor": body["cursor"]}})
        return httpx.Response(200, json=page)

    def vanishing(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "cursor" in body:
            return httpx.Response(404, json=recorded("error_no_calls.json"))
        return httpx.Response(200, json=page)

    host = page["calls"][0]["metaData"]["primaryUserId"]
    for answer, code in ((looping, "bad_cursor"), (vanishing, "page_not_found")):
        recorder = GongRecorder(
            RecorderCredentials("https://us-1.api.gong.io", "k", "s"),
            SharedPace(deps.db, workspace_id),
            http=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
        )
        with pytest.raises(RecorderUnavailable) as stopped:
            _ = [c async for page in recorder.call_pages([host], WEEK) for c in page.items]
        assert stopped.value.code == code
        await recorder.close()
