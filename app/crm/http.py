"""One request to a CRM: waiting its turn, out any short 429 (Retry-After honoured, and
every replica told), with a timeout; the transport's failures as CrmUnavailable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from app.crm.provider import CrmUnavailable
from app.db.turns import Turn
from app.outside_http import outside_client
from app.rules.retry_after import seconds_to_wait

TIMEOUT_S = 15.0
MAX_INLINE_WAIT_S = 10.0  # a longer wait ends this sync or write; it goes on later
MAX_RATE_LIMITED = 5  # 429s in a row before giving up for now

# How long to wait on a 429 that names no Retry-After (the CRM's own rule), or raise.
Pause = Callable[[httpx.Response], float]


class CrmHttp:
    def __init__(
        self,
        turn: Turn,
        *,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = TIMEOUT_S,
        pause_for: Pause = lambda response: 1.0,
    ) -> None:
        self.turn = turn
        self.http = http or outside_client()
        self.timeout = httpx.Timeout(timeout_s)
        self.pause_for = pause_for
        self.requests = 0

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        for _ in range(MAX_RATE_LIMITED):
            await self.turn.wait()
            self.requests += 1
            try:
                response = await self.http.request(method, url, timeout=self.timeout, **kwargs)
            except httpx.TimeoutException:
                raise CrmUnavailable("timeout") from None
            except httpx.HTTPError:
                raise CrmUnavailable("unreachable") from None
            if response.status_code == 429:
                header = response.headers.get("Retry-After")
                wait = seconds_to_wait(header, default=self.pause_for(response))
                await self.turn.pause(wait)
                if wait > MAX_INLINE_WAIT_S:
                    raise CrmUnavailable("rate_limited", retry_after_s=wait)
                continue
            if response.status_code >= 500:
                raise CrmUnavailable(f"http_{response.status_code}")
            return response
        raise CrmUnavailable("rate_limited", retry_after_s=MAX_INLINE_WAIT_S)

    async def close(self) -> None:
        await self.http.aclose()


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CrmUnavailable("not_json") from None
