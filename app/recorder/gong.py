"""Gong's API v2: users (GET /v2/users) and calls with their interaction numbers
(POST /v2/calls/extensive), read with Basic auth, page by page, within the shared pace.

Every answer is untrusted: a field of the wrong type reads as missing, a call without an
id, a link or a start is skipped, and an answer that is not JSON is the recorder being
unavailable. Links and numbers only: coach never asks for media, transcripts or content.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.config import RecorderCredentials
from app.db.turns import Turn
from app.outside_http import outside_client
from app.recorder.provider import (
    FetchedCall,
    Item,
    Page,
    RecorderRefused,
    RecorderUnavailable,
    RecorderUser,
)
from app.rules.call_stats import CallNumbers, Window
from app.rules.retry_after import seconds_to_wait

TIMEOUT_S = 15.0
MAX_INLINE_WAIT_S = 10.0  # a longer Retry-After ends this sync; the next tick goes on
MAX_RATE_LIMITED = 5  # 429s in a row before giving up for this tick
USERS_PER_REQUEST = 100  # primaryUserIds sent at once
NO_CALLS = 404  # Gong's answer to a filter that matches no call
MAX_CURSOR = 4096
MAX_URL = 2000
MAX_NUMBER = 1e9
MAX_BUYERS = 1000  # people from outside on one call: more is not a sales call
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_ID = re.compile(r"[0-9]{1,20}")
STATS = {"Longest Monologue": "longest_monologue_s", "Interactivity": "interactivity",
         "Patience": "patience_s"}  # fmt: skip
CONTENT = {
    "parties": True,  # counted (people from outside the company), never kept
    "interaction": {"speakers": True, "personInteractionStats": True, "questions": True},
}


def basic_auth(credentials: RecorderCredentials) -> str:
    pair = f"{credentials.access_key}:{credentials.access_key_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def retry_after_s(response: httpx.Response) -> float:
    """Gong's Retry-After in seconds: at least one, at most an hour."""
    return seconds_to_wait(response.headers.get("Retry-After"))


class GongRecorder:
    name = "Gong"

    def __init__(
        self,
        credentials: RecorderCredentials,
        turn: Turn,
        *,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.credentials = credentials
        self.turn = turn
        self.http = http or outside_client()
        self.timeout = httpx.Timeout(timeout_s)
        self._requests = 0

    @property
    def requests_made(self) -> int:
        return self._requests

    async def close(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """One request, waiting its turn and out any short 429; None for a 404."""
        headers = {"Authorization": basic_auth(self.credentials), "Accept": "application/json"}
        for _ in range(MAX_RATE_LIMITED):
            await self.turn.wait()
            self._requests += 1
            try:
                response = await self.http.request(
                    method,
                    self.credentials.api_url + path,
                    headers=headers,
                    timeout=self.timeout,
                    **kwargs,
                )
            except httpx.TimeoutException:
                raise RecorderUnavailable("timeout") from None
            except httpx.HTTPError:
                raise RecorderUnavailable("unreachable") from None
            status = response.status_code
            if status == 429:
                wait = retry_after_s(response)
                await self.turn.pause(wait)
                if wait > MAX_INLINE_WAIT_S:
                    raise RecorderUnavailable("rate_limited")
                continue
            if status in (401, 403):
                raise RecorderRefused(f"http_{status}")
            if status == NO_CALLS:
                return None
            if status >= 300:
                raise RecorderUnavailable(f"http_{status}")
            try:
                body = response.json()
            except ValueError:
                raise RecorderUnavailable("not_json") from None
            if not isinstance(body, dict):
                raise RecorderUnavailable("not_json")
            return body
        raise RecorderUnavailable("rate_limited")

    def user_pages(self, cursor: str | None = None) -> AsyncGenerator[Page[RecorderUser], None]:
        return _pages(self._users_page, cursor)

    def call_pages(
        self, host_user_ids: Sequence[str], window: Window
    ) -> AsyncGenerator[Page[FetchedCall], None]:
        hosts = [i for i in dict.fromkeys(host_user_ids) if _ID.fullmatch(i)]
        if len(hosts) > USERS_PER_REQUEST:
            raise ValueError(f"at most {USERS_PER_REQUEST} hosts a request")
        return _pages(lambda cursor: self._calls_page(hosts, window, cursor), None)

    async def _users_page(self, cursor: str | None) -> Page[RecorderUser]:
        params = {"cursor": cursor} if cursor else {}
        body = await self._call("GET", "/v2/users", params=params)
        if body is None:
            raise RecorderUnavailable("users_not_found")
        users = [u for raw in _list(body.get("users")) if (u := parse_user(raw)) is not None]
        return Page(users, next_cursor(body, cursor))

    async def _calls_page(
        self, hosts: list[str], window: Window, cursor: str | None
    ) -> Page[FetchedCall]:
        if not hosts:
            return Page([], None)
        request: dict[str, Any] = {
            "filter": {
                "fromDateTime": _iso(window.start),
                "toDateTime": _iso(window.end),
                "primaryUserIds": hosts,
            },
            "contentSelector": {"exposedFields": CONTENT},
        }
        if cursor:
            request["cursor"] = cursor
        body = await self._call("POST", "/v2/calls/extensive", json=request)
        if body is None:  # Gong's 404: no call matches (on a later page, the cursor is off)
            if cursor:
                raise RecorderUnavailable("page_not_found")
            return Page([], None)
        wanted = set(hosts)
        calls = [
            c
            for raw in _list(body.get("calls"))
            if (c := parse_call(raw)) is not None and c.host_user_id in wanted
        ]
        return Page(calls, next_cursor(body, cursor))


async def _pages(
    fetch: Callable[[str | None], Awaitable[Page[Item]]], cursor: str | None
) -> AsyncGenerator[Page[Item], None]:
    """Page after page from `cursor` (the first page for None), to the last. Nothing is
    asked for before the caller wants the next page, so a caller out of time just stops."""
    while True:
        page = await fetch(cursor)
        yield page
        if page.cursor is None:
            return
        cursor = page.cursor


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    """A finite, non-negative number, or None (a bool, a string, 1e400, -1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and 0 <= number <= MAX_NUMBER else None


def next_cursor(body: dict[str, Any], sent: str | None) -> str | None:
    """The next page's cursor; None at the last page. A cursor coach can't use (too long,
    or the one just sent again: the pages would never end) means Gong is misbehaving."""
    records = body.get("records")
    cursor = records.get("cursor") if isinstance(records, dict) else None
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR or cursor == sent:
        raise RecorderUnavailable("bad_cursor")
    return cursor


def parse_user(raw: dict[str, Any]) -> RecorderUser | None:
    user_id = raw.get("id")
    email = _text(raw.get("emailAddress"), 254).lower()
    if not isinstance(user_id, str) or not _ID.fullmatch(user_id) or "@" not in email:
        return None
    return RecorderUser(user_id, email, raw.get("active") is not False)


def parse_moment(value: object) -> datetime | None:
    """An ISO-8601 time with an offset (what the reference documents), or epoch seconds;
    None for anything else, or a time no call could have (year 1, year 9999)."""
    try:
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                return None
            found = moment.astimezone(UTC)
        else:
            seconds = _number(value)
            if seconds is None:
                return None
            found = datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return found if EARLIEST <= found <= LATEST else None


def _link(value: object) -> str | None:
    """An http(s) link of printable characters that parses as a URL with a host."""
    url = _text(value, MAX_URL + 1)
    if len(url) > MAX_URL or not re.fullmatch(r"https?://[\x21-\x7e]+", url):
        return None
    if any(c in url for c in '<>|\\"`'):
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url if host else None


def _title(value: object) -> str:
    """The call's title without control characters (PostgreSQL refuses NUL in text)."""
    text = "".join(c for c in _text(value, 255) if c.isprintable())
    return text.strip() or "Call"


def parse_call(raw: dict[str, Any]) -> FetchedCall | None:
    meta = raw.get("metaData")
    if not isinstance(meta, dict):
        return None
    call_id, host = meta.get("id"), meta.get("primaryUserId")
    url, started = _link(meta.get("url")), parse_moment(meta.get("started"))
    if not (isinstance(call_id, str) and _ID.fullmatch(call_id)) or url is None:
        return None
    if not (isinstance(host, str) and _ID.fullmatch(host)) or started is None:
        return None
    duration = _number(meta.get("duration")) or 0.0
    return FetchedCall(
        provider_call_id=call_id,
        host_user_id=host,
        url=url,
        title=_title(meta.get("title")),
        started_at=started,
        duration_s=int(min(duration, 86_400)),
        numbers=call_numbers(raw, host, duration),
    )


def call_numbers(raw: dict[str, Any], host: str, duration_s: float) -> CallNumbers:
    """The host's numbers on one call: the share of the talk from the speakers' talk times,
    questions per hour from the company side's count, and Gong's own interaction stats."""
    interaction = raw.get("interaction")
    interaction = interaction if isinstance(interaction, dict) else {}
    values: dict[str, float | None] = {}
    for stat in _list(interaction.get("interactionStats")):
        label = stat.get("name")
        name = STATS.get(label) if isinstance(label, str) else None
        if name is not None:
            values[name] = _number(stat.get("value"))
    talk = [
        (s.get("userId"), _number(s.get("talkTime"))) for s in _list(interaction.get("speakers"))
    ]
    total = sum(t for _, t in talk if t is not None)
    if total > 0:
        values["talk_ratio"] = sum(t for who, t in talk if who == host and t is not None) / total
    questions = interaction.get("questions")
    asked = _number(questions.get("companyCount")) if isinstance(questions, dict) else None
    if asked is not None and duration_s > 0:
        values["question_rate"] = asked * 3600 / duration_s
    parties = raw.get("parties")
    if isinstance(parties, list):
        values["buyers"] = float(
            sum(1 for p in _list(parties) if p.get("affiliation") == "External")
        )
    return CallNumbers(**values)
