"""Listeners ack at once, then take turns for what they do after the ack."""

from __future__ import annotations

import asyncio
from typing import Any

from app.domain.errors import UserError
from app.slack.errors import answering_after_ack


class FakeAck:
    def __init__(self) -> None:
        self.response: Any = None

    async def __call__(self, **kwargs: Any) -> Any:
        self.response = kwargs or "acked"
        return self.response


class FakeRespond:
    def __init__(self) -> None:
        self.said: list[str] = []

    async def __call__(self, text: str, **_: Any) -> None:
        self.said.append(text)


async def test_only_so_many_listeners_work_past_their_ack_at_once() -> None:
    working = most = 0
    acked_all = asyncio.Event()
    acks: list[FakeAck] = []

    async def listener(ack: Any) -> None:
        nonlocal working, most
        await ack()
        working += 1
        most = max(most, working)
        await acked_all.wait()  # every ack is in before anyone finishes
        await asyncio.sleep(0.01)
        working -= 1

    wrapped = answering_after_ack(listener, turns=asyncio.Semaphore(2))
    runs = []
    for _ in range(6):
        acks.append(FakeAck())
        runs.append(asyncio.create_task(wrapped(ack=acks[-1], body={}, respond=FakeRespond())))
    for _ in range(50):
        await asyncio.sleep(0)
    assert all(a.response is not None for a in acks)  # queued work never holds back an ack
    acked_all.set()
    await asyncio.gather(*runs)
    assert most == 2


async def test_a_refusal_after_the_ack_is_answered_and_frees_the_turn() -> None:
    turns = asyncio.Semaphore(1)

    async def refusing(ack: Any) -> None:
        await ack()
        raise UserError("Only the rep's manager can score this drill.")

    respond = FakeRespond()
    body = {"response_url": "https://hooks.example/1"}
    await answering_after_ack(refusing, turns=turns)(ack=FakeAck(), body=body, respond=respond)
    assert respond.said == ["Only the rep's manager can score this drill."]
    assert not turns.locked()
