"""users.list sweeps: a big workspace is read a page at a time, and no page outlives the next."""

from __future__ import annotations

import gc
import weakref
from typing import Any, cast

from slack_sdk.web.async_client import AsyncWebClient

from app.slack.profiles import Directory, Profile


class Page(dict[str, Any]):
    """A users.list answer (a dict, as AsyncSlackResponse reads like one); weakly referable."""


class PagedClient:
    """users.list over `people` members, 200 a page, checking that pages already read are gone."""

    def __init__(self, people: int) -> None:
        self.people = people
        self.pages: list[weakref.ref[Page]] = []
        self.alive_at_call: list[int] = []

    async def users_list(self, limit: int, cursor: str | None = None) -> Page:
        gc.collect()
        self.alive_at_call.append(sum(1 for ref in self.pages if ref() is not None))
        start = int(cursor or 0)
        members = [
            {"id": f"U0P{n:06d}", "tz": "Europe/Berlin", "profile": {"display_name": f"P{n}"}}
            for n in range(start, min(start + limit, self.people))
        ]
        following = start + limit
        page = Page(
            members=members,
            response_metadata={"next_cursor": str(following) if following < self.people else ""},
        )
        self.pages.append(weakref.ref(page))
        return page


async def test_a_sweep_holds_one_page_at_a_time_and_keeps_only_profiles() -> None:
    client = PagedClient(1_200)
    reads = await Directory(cast(AsyncWebClient, client)).read(
        [f"U0P{n:06d}" for n in range(1_200)]
    )
    assert len(client.pages) == 6
    assert max(client.alive_at_call) <= 1  # the page being read from, never the ones before
    assert all(isinstance(read, Profile) for read in reads.found.values())
    assert len(reads.found) == 1_200
    gc.collect()
    assert all(ref() is None for ref in client.pages)  # nothing kept of the raw pages
