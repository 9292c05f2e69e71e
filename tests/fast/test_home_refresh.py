"""The App Home refresher: coalesced, one Home at a time, off the request path."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from app.slack.runtime.home_publisher import HomeRefresher

AUDIENCES = {"R1": ["R1", "M1", "D1"], "R2": ["R2", "M1", "D1"], "R3": ["R3", "M2", "D1"]}


class Recorder:
    """Stands in for the database and Slack: who is published, and how many at once."""

    def __init__(self, *, failing: set[str] = frozenset(), slow_s: float = 0.0) -> None:
        self.published: list[tuple[str, str]] = []
        self.failing = failing
        self.slow_s = slow_s
        self.running = 0
        self.most_at_once = 0

    async def audience(self, team_id: str, rep: str) -> list[str]:
        if rep == "BROKEN":
            raise RuntimeError("database went away")
        return AUDIENCES.get(rep, [])

    async def publish(self, client: Any, team_id: str, user: str) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.slow_s)
            if user in self.failing:
                raise SlackApiError("refused", {"ok": False, "error": "not_enabled"})
            self.published.append((team_id, user))
        finally:
            self.running -= 1


async def test_changes_to_one_team_publish_each_home_once() -> None:
    seen = Recorder()
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=0.05)
    for rep in ("R1", "R2", "R1", "R3"):
        homes.refresh(None, "T1", rep)  # type: ignore[arg-type]
    assert seen.published == []  # asking never publishes in the caller's turn
    await homes.settled()
    assert sorted(user for _, user in seen.published) == ["D1", "M1", "M2", "R1", "R2", "R3"]


async def test_homes_are_published_one_at_a_time() -> None:
    seen = Recorder(slow_s=0.01)
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=0)
    for rep in ("R1", "R2", "R3"):
        homes.refresh(None, "T1", rep)  # type: ignore[arg-type]
    await homes.settled()
    assert seen.most_at_once == 1
    assert len(seen.published) == 6


async def test_a_change_while_publishing_is_published_after() -> None:
    seen = Recorder(slow_s=0.02)
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=0)
    homes.refresh(None, "T1", "R1")  # type: ignore[arg-type]
    await asyncio.sleep(0.03)  # R1's Homes are being published
    homes.refresh(None, "T1", "R1")  # type: ignore[arg-type]
    await homes.settled()
    assert [user for _, user in seen.published].count("R1") == 2


async def test_a_failure_does_not_stop_the_other_homes() -> None:
    seen = Recorder(failing={"M1"})
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=0)
    homes.refresh(None, "T1", "BROKEN")  # type: ignore[arg-type]
    homes.refresh(None, "T1", "R1")  # type: ignore[arg-type]
    await homes.settled()
    assert [user for _, user in seen.published] == ["R1", "D1"]
    homes.refresh(None, "T1", "R2")  # the worker is still there after failures
    await homes.settled()
    assert ("T1", "R2") in seen.published


async def test_close_publishes_what_is_pending_without_its_delay() -> None:
    seen = Recorder()
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=60)
    homes.refresh(None, "T1", "R3")  # type: ignore[arg-type]
    await asyncio.wait_for(homes.close(), 2)
    assert sorted(user for _, user in seen.published) == ["D1", "M2", "R3"]
    homes.refresh(None, "T1", "R1")  # after close: ignored, nothing starts
    await asyncio.sleep(0.01)
    assert len(seen.published) == 3


async def test_settled_gives_up_after_its_timeout() -> None:
    seen = Recorder(slow_s=1)
    homes = HomeRefresher(seen.audience, seen.publish, delay_s=0)
    homes.refresh(None, "T1", "R1")  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):
        await homes.settled(timeout_s=0.05)
    await homes.close(timeout_s=0.01)
