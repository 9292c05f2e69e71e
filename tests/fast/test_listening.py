"""Listeners: bolt has the answer the moment a listener acks; the rest runs after, in turns."""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace
from typing import Any

import pytest

from app.rules.refusals import Refusal, UserError
from app.slack.render.blocks import Outgoing
from app.slack.runtime.after_ack import AfterAck
from app.slack.runtime.listener_wrapper import Acks, Wrap, wrap


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


def called(ack: FakeAck | None = None, **extra: Any) -> dict[str, Any]:
    """What bolt passes the wrapper: `args`, what it could inject, by name."""
    given = {"ack": ack or FakeAck(), "body": {}, "respond": FakeRespond(), "client": None}
    return {"args": SimpleNamespace(**{**given, **extra})}


async def test_the_answer_goes_at_the_ack_and_the_rest_runs_after() -> None:
    after = AfterAck()
    go_on = asyncio.Event()
    steps: list[str] = []

    async def listener(ack: Any) -> None:
        await ack(text="on it")
        steps.append("acked")
        await go_on.wait()
        steps.append("done")

    ack = FakeAck()
    await asyncio.wait_for(Wrap(after, {}).submission(listener)(**called(ack)), 1)
    assert ack.response == {"text": "on it"}  # what bolt sends back, right now
    await asyncio.sleep(0)
    assert steps == ["acked"] and after.running == 1
    go_on.set()
    assert await after.settled(timeout_s=1)
    assert steps == ["acked", "done"]


async def test_only_so_many_listeners_work_past_their_ack_at_once() -> None:
    working = most = 0
    everyone_acked = asyncio.Event()

    async def listener(ack: Any) -> None:
        nonlocal working, most
        await ack()
        working += 1
        most = max(most, working)
        await everyone_acked.wait()
        await asyncio.sleep(0.01)
        working -= 1

    after = AfterAck(turns=2)
    wrapped = Wrap(after, {}).submission(listener)
    acks = [FakeAck() for _ in range(6)]
    await asyncio.gather(*(wrapped(**called(ack)) for ack in acks))
    assert all(ack.response is not None for ack in acks)  # queued work never holds an ack
    everyone_acked.set()
    assert await after.settled(timeout_s=5)
    assert most == 2


async def test_a_refusal_after_the_ack_is_answered_and_frees_the_turn() -> None:
    after = AfterAck(turns=1)

    async def refusing(ack: Any) -> None:
        await ack()
        raise UserError(Refusal.NOT_THEIR_COACH, rep="U0REP")

    arguments = called(body={"response_url": "https://hooks.example/1"})
    await Wrap(after, {}).submission(refusing)(**arguments)
    assert await after.settled(timeout_s=1)
    said = arguments["args"].respond.said
    assert said == ["Only <@U0REP>'s manager (or their director) can do that."]
    await asyncio.wait_for(after.take_turn(), 0.1)  # the one turn is free again


async def test_a_failure_before_the_ack_goes_to_bolt() -> None:
    async def refusing(ack: Any) -> None:
        raise UserError(Refusal.WEEK_CLOSED)

    ack = FakeAck()
    with pytest.raises(UserError, match=Refusal.WEEK_CLOSED.value):
        await Wrap(AfterAck(), {}).submission(refusing)(**called(ack))
    assert ack.response is None  # bolt's error handler answers it, in the ack


async def test_a_listener_without_ack_is_acked_before_it_starts() -> None:
    after = AfterAck()
    seen: list[object] = []
    ack = FakeAck()

    async def on_event(event: dict[str, Any]) -> None:
        seen.append(ack.response)

    await Wrap(after, {}).acked_first(on_event)(**called(ack, event={}))
    assert ack.response == "acked" and seen == []
    assert await after.settled(timeout_s=1)
    assert seen == ["acked"]


async def test_injected_values_are_not_asked_of_bolt() -> None:
    deps = object()
    got: list[object] = []

    async def listener(ack: Any, deps: object) -> None:
        await ack()
        got.append(deps)

    wrapped = Wrap(AfterAck(), {"deps": deps}).submission(listener)
    await wrapped(**called())  # bolt's args hold no `deps`: it is never asked for
    await asyncio.sleep(0.01)
    assert got == [deps]


async def test_a_command_read_as_help_is_answered_in_the_ack_and_goes_no_further() -> None:
    after = AfterAck()
    ran: list[object] = []

    async def on_command(parsed: object) -> None:
        ran.append(parsed)

    ack = FakeAck()
    help_text = Outgoing("Try `/drill status`.", [])
    read = Wrap(after, {}).command(on_command, read=lambda body: help_text)
    await read(**called(ack))
    assert ack.response == {"text": help_text.text, "blocks": [], "response_type": "ephemeral"}
    assert await after.settled(timeout_s=1)
    assert ran == [] and after.running == 0


async def test_a_command_read_as_work_is_acked_empty_and_handed_over() -> None:
    after = AfterAck()
    ran: list[object] = []

    async def on_command(parsed: object, deps: object) -> None:
        ran.append((parsed, deps))

    ack = FakeAck()
    wrapped = Wrap(after, {"deps": "D"}).command(on_command, read=lambda body: ("status", body))
    await wrapped(**called(ack, body={"text": "status"}))
    assert ack.response == "acked"
    assert await after.settled(timeout_s=1)
    assert ran == [(("status", {"text": "status"}), "D")]


async def test_a_command_that_cannot_be_read_goes_to_bolt_before_the_ack() -> None:
    def unreadable(body: dict[str, Any]) -> object:
        raise UserError(Refusal.LINK_NOT_A_URL)

    async def on_command(parsed: object) -> None:
        raise AssertionError("never runs")

    ack = FakeAck()
    with pytest.raises(UserError, match=Refusal.LINK_NOT_A_URL.value):
        await Wrap(AfterAck(), {}).command(on_command, read=unreadable)(**called(ack))
    assert ack.response is None


async def test_how_a_listener_is_acked_is_declared_and_checked_at_registration() -> None:
    async def on_click(body: dict[str, Any]) -> None:
        pass

    async def on_submit(ack: Any, body: dict[str, Any]) -> None:
        await ack()

    with pytest.raises(TypeError, match="on_click is registered to ack itself"):
        wrap(on_click, AfterAck(), {}, acks=Acks.ITSELF)
    with pytest.raises(TypeError, match="on_submit is acked first"):
        Wrap(AfterAck(), {}).acked_first(on_submit)

    async def on_typo(bdoy: dict[str, Any]) -> None:
        pass

    with pytest.raises(TypeError, match=r"on_typo takes \['bdoy'\]"):
        Wrap(AfterAck(), {}).acked_first(on_typo)

    async def on_opened(parsed: object) -> None:
        pass

    with pytest.raises(TypeError, match=r"on_opened takes \['parsed'\]"):
        Wrap(AfterAck(), {}).acked_first(on_opened)  # no `read`: nothing is parsed
    # What bolt is asked for: its `args`, whatever the listener takes.
    wrapped = Wrap(AfterAck(), {"deps": "D"}).acked_first(on_click)
    assert list(inspect.signature(wrapped).parameters) == ["args"]
