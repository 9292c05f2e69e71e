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
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from app.config import RecorderCredentials
from app.recorder.provider import (
    FetchedCall,
    RecorderRefused,
    RecorderUnavailable,
    RecorderUser,
)
from app.rules.call_stats import CallNumbers, Window

TIMEOUT_S = 15.0
MAX_INLINE_WAIT_S = 10.0  # a longer Retry-After ends this sync; the next tick goes on
MAX_RATE_LIMITED = 5  # 429s in a row before giving up for this tick
USERS_PER_REQUEST = 100  # primaryUserIds sent at once
NO_CALLS = 404  # Gong's answer to a filter that matches no call
_ID = re.compile(r"[0-9]{1,20}")
STATS = {"Longest Monologue": "longest_monologue_s", "Interactivity": "interactivity",
         "Patience": "patience_s"}  # fmt: skip
CONTENT = {
    "parties": True,  # counted (people from outside the company), never kept
    "interaction": {"speakers": True, "personInteractionStats": True, "questions": True},
}


class Turn(Protocol):
    async def wait(self) -> None: ...
    async def pause(self, seconds: float) -> None: ...


def basic_auth(credentials: RecorderCredentials) -> str:
    pair = f"{credentials.access_key}:{credentials.access_key_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def retry_after_s(response: httpx.Response) -> float:
    """Gong's Retry-After in seconds (at least one)."""
    try:
        return max(float(response.headers.get("Retry-After", "1")), 1.0)
    except ValueError:
        return 1.0


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
        self.http = http or httpx.AsyncClient()
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

    async def users(self) -> AsyncIterator[RecorderUser]:
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            body = await self._call("GET", "/v2/users", params=params) or {}
            for raw in _list(body.get("users")):
                user = parse_user(raw)
                if user is not None:
                    yield user
            cursor = next_cursor(body)
            if cursor is None:
                return

    async def calls(
        self, host_user_ids: Sequence[str], window: Window
    ) -> AsyncIterator[FetchedCall]:
        ids = [i for i in dict.fromkeys(host_user_ids) if _ID.fullmatch(i)]
        for start in range(0, len(ids), USERS_PER_REQUEST):
            chunk = ids[start : start + USERS_PER_REQUEST]
            request: dict[str, Any] = {
                "filter": {
                    "fromDateTime": _iso(window.start),
                    "toDateTime": _iso(window.end),
                    "primaryUserIds": chunk,
                },
                "contentSelector": {"exposedFields": CONTENT},
            }
            while True:
                body = await self._call("POST", "/v2/calls/extensive", json=request)
                if body is None:  # no call matches
                    break
                for raw in _list(body.get("calls")):
                    call = parse_call(raw)
                    if call is not None and call.host_user_id in chunk:
                        yield call
                cursor = next_cursor(body)
                if cursor is None:
                    break
                request = {**request, "cursor": cursor}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def next_cursor(body: dict[str, Any]) -> str | None:
    records = body.get("records")
    cursor = records.get("cursor") if isinstance(records, dict) else None
    return cursor if isinstance(cursor, str) and cursor and len(cursor) <= 4096 else None


def parse_user(raw: dict[str, Any]) -> RecorderUser | None:
    user_id = raw.get("id")
    email = _text(raw.get("emailAddress"), 254).lower()
    if not isinstance(user_id, str) or not _ID.fullmatch(user_id) or "@" not in email:
        return None
    return RecorderUser(user_id, email, raw.get("active") is not False)


def parse_moment(value: object) -> datetime | None:
    """An ISO-8601 time with an offset (what the reference documents), or epoch seconds."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.astimezone(UTC) if moment.tzinfo else None
    seconds = _number(value)
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def _link(value: object) -> str | None:
    url = _text(value, 2001)
    return url if re.fullmatch(r"https?://[^\s<>|]+", url) and len(url) <= 2000 else None


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
        title=_text(meta.get("title"), 255) or "Call",
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
        name = STATS.get(stat.get("name"))  # type: ignore[arg-type]
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
