"""Work after an ack waits while other requests wait for theirs; turns go out in order; the
work's tasks are kept until they end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from app.deps import Deps
from app.rules.calendar import cycle_week
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from app.slack.runtime.after_ack import AfterAck
from tests.support.factories import SIGNING_SECRET, seed_org


async def spin(times: int = 20) -> None:
    """Let every ready task run (a turn handed out is taken on the next loop pass)."""
    for _ in range(times):
        await asyncio.sleep(0)


async def test_with_nothing_unanswered_a_turn_is_taken_at_once() -> None:
    turns = AfterAck(turns=1)
    await asyncio.wait_for(turns.take_turn(), 0.1)
    turns.give_back()
    await asyncio.wait_for(turns.take_turn(), 0.1)


async def test_work_waits_until_every_request_has_its_answer() -> None:
    turns = AfterAck(turns=2, max_wait_s=60, quiet_s=0)
    first, second = turns.acking(), turns.acking()
    first.__enter__()
    second.__enter__()
    work = asyncio.create_task(turns.take_turn())
    await spin()
    assert not work.done()
    first.__exit__(None, None, None)
    await spin()
    assert not work.done()  # one request still waits for its ack
    second.__exit__(None, None, None)
    await spin()
    assert work.done()


async def test_work_waits_for_a_quiet_moment_after_the_last_answer() -> None:
    # Requests of a burst reach the app one by one: the moment one is answered and none is
    # unanswered is not yet the end of the burst.
    turns = AfterAck(turns=1, max_wait_s=60, quiet_s=0.1)
    loop = asyncio.get_running_loop()
    with turns.acking():
        work = asyncio.create_task(turns.take_turn())
        await spin()
    await asyncio.sleep(0.05)
    assert not work.done()
    with turns.acking():  # the next request of the burst: the quiet starts again after it
        pass
    answered = loop.time()
    await asyncio.wait_for(work, 1.0)
    assert loop.time() - answered >= 0.1
    turns.give_back()
    with turns.acking():
        pass
    asked = loop.time()
    await asyncio.wait_for(turns.take_turn(), 1.0)  # asked with nobody waiting: the same rule
    assert loop.time() - asked >= 0.09


async def test_a_steady_stream_of_requests_delays_work_by_at_most_max_wait() -> None:
    turns = AfterAck(turns=1, max_wait_s=0.05)
    loop = asyncio.get_running_loop()
    with turns.acking():  # a request that is never answered while the work waits
        asked = loop.time()
        await asyncio.wait_for(turns.take_turn(), 1.0)
        waited = loop.time() - asked
    assert 0.05 <= waited < 0.5


async def test_turns_go_out_in_order_and_never_more_than_allowed() -> None:
    turns = AfterAck(turns=2, max_wait_s=60, quiet_s=0)
    order: list[int] = []
    working = most = 0
    release = asyncio.Event()

    async def work(n: int) -> None:
        nonlocal working, most
        async with turns.turn():
            order.append(n)
            working += 1
            most = max(most, working)
            await release.wait()
            working -= 1

    with turns.acking():
        tasks = [asyncio.create_task(work(n)) for n in range(6)]
        await spin()
        assert order == []  # a request is unanswered: nobody starts
    await spin()
    assert order == [0, 1]
    release.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4, 5]
    assert most == 2


async def test_a_waiter_cancelled_in_the_queue_takes_no_turn_with_it() -> None:
    turns = AfterAck(turns=1, max_wait_s=60, quiet_s=0)
    with turns.acking():
        leaving = asyncio.create_task(turns.take_turn())
        staying = asyncio.create_task(turns.take_turn())
        await spin()
        leaving.cancel()
        await spin()
    await spin()
    assert leaving.cancelled()
    assert staying.done()  # the one turn went to the waiter still there
    turns.give_back()
    await asyncio.wait_for(turns.take_turn(), 0.1)


async def test_a_turn_granted_to_a_cancelled_waiter_is_given_back() -> None:
    turns = AfterAck(turns=1, max_wait_s=60, quiet_s=0)
    with turns.acking():
        waiter = asyncio.create_task(turns.take_turn())
        await spin()
    waiter.cancel()  # granted in the same pass it is cancelled
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(turns.take_turn(), 0.1)


async def test_settled_waits_for_the_work_and_for_work_it_starts() -> None:
    after = AfterAck()
    finished: list[str] = []

    async def second() -> None:
        await asyncio.sleep(0.02)
        finished.append("second")

    async def first() -> None:
        await asyncio.sleep(0.01)
        after.start(second(), "second")
        finished.append("first")

    after.start(first(), "first")
    assert after.running == 1
    assert await after.settled(timeout_s=5)
    assert finished == ["first", "second"] and after.running == 0


async def test_settled_says_when_work_is_still_running() -> None:
    after = AfterAck()
    stuck = after.start(asyncio.Event().wait(), "stuck")  # type: ignore[arg-type]
    assert not await after.settled(timeout_s=0.05)
    stuck.cancel()
    assert await after.settled(timeout_s=1)


async def test_work_that_fails_is_logged_by_name_and_forgotten(
    caplog: pytest.LogCaptureFixture,
) -> None:
    after = AfterAck()

    async def failing() -> None:
        raise RuntimeError("boom")

    after.start(failing(), "listener on_score")
    assert await after.settled(timeout_s=1)
    assert "work after an ack failed: listener on_score" in caplog.text


def test_at_least_one_turn() -> None:
    with pytest.raises(ValueError, match="at least one turn"):
        AfterAck(turns=0)


# --- over HTTP: the bot's answers wait for a request still being received ------------------
async def half_sent_request(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A POST whose body has not all arrived: the server has a request it cannot answer yet."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: coach\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\n"
        b"command=%2Fdr"
    )
    await writer.drain()
    return reader, writer


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 (a server's state, not an event of ours)
            await asyncio.sleep(0.005)


@dataclass
class Pending:
    """The bot, a driver, and a request the bot has begun to receive and cannot answer yet."""

    bot: RunningBot
    driver: SlackDriver
    after: AfterAck
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def finish_the_other_request(self) -> None:
        self.writer.write(b"ill&x=1")  # the rest of the body: unsigned, so refused
        await self.writer.drain()
        assert (await self.reader.readline()).startswith(b"HTTP/1.1 401")


@contextlib.asynccontextmanager
async def a_request_pending(
    deps: Deps, sandbox: SlackSandbox, max_wait_s: float = 60
) -> AsyncIterator[Pending]:
    """By default nothing but the other request's answer frees the work after acks."""
    await seed_org(deps)
    after = AfterAck(max_wait_s=max_wait_s)
    bot = await start_bot(deps, after)
    driver = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    reader, writer = await half_sent_request(bot.url)
    try:
        await until(lambda: after.unanswered == 1)
        yield Pending(bot, driver, after, reader, writer)
    finally:
        writer.close()  # else the server, stopping, waits for that request for ever
        await driver.close()
        await bot.stop()


async def test_a_command_is_acked_at_once_and_answered_once_the_other_request_is(
    deps: Deps, sandbox: SlackSandbox
) -> None:
    async with a_request_pending(deps, sandbox) as pending:
        since = len(sandbox.state.responses)
        driver = pending.driver
        ack = await driver.post(
            driver.command_body("U0REPB1", "/drill", "status"), "application/x-www-form-urlencoded"
        )
        assert ack.status == 200 and ack.text == ""  # acked at once, empty, at the gate
        assert pending.after.at_work == ["bolt after the gate's answer: /drill"]
        await asyncio.sleep(0.3)
        assert len(sandbox.state.responses) == since  # its answer waits its turn
        await pending.finish_the_other_request()
        reply = await sandbox.wait_for_response(since=since, timeout_s=5)
        assert reply["user"] == "U0REPB1" and "drill" in reply["text"].lower()


async def test_a_request_that_never_completes_delays_answers_by_at_most_max_wait(
    deps: Deps, sandbox: SlackSandbox
) -> None:
    async with a_request_pending(deps, sandbox, max_wait_s=0.2) as pending:
        answer = await pending.driver.command("U0REPB1", "/drill", "status")
        assert answer.status == 200 and "drill" in answer.json()["text"].lower()
        assert pending.after.unanswered == 1  # answered while the other request still hangs


async def test_a_click_is_answered_before_bolt_sees_it(deps: Deps, sandbox: SlackSandbox) -> None:
    async with a_request_pending(deps, sandbox) as pending:
        since = len(sandbox.state.calls)
        home = {"ts": "1.0", "blocks": []}
        scorecard = f"U0REPB1|{cycle_week(deps.clock().date())}"
        answer = await pending.driver.click(
            "U0REPB1", Action.OPEN_SCORECARD, scorecard, message=home
        )
        assert answer.status == 200 and answer.text == ""
        # Answered by the web layer: bolt has the request only as work after the ack, which
        # waits for the other request; no listener has started, Slack has heard nothing.
        bolt_waits = [f"bolt after the gate's answer: {Action.OPEN_SCORECARD}"]
        assert pending.after.at_work == bolt_waits
        await asyncio.sleep(0.2)
        assert pending.after.at_work == bolt_waits
        assert sandbox.state.calls[since:] == []
        await pending.finish_the_other_request()
        await pending.bot.settle()
        assert "views.open" in [call.method for call in sandbox.state.calls[since:]]


@pytest.mark.parametrize(
    ("command", "text", "said"),
    [
        ("/drill", "dnoe", "`/drill dnoe`"),  # a typo: the help, naming what it did not know
        ("/coach", "add <@U0NEW>", "Use `/coach add @person"),  # malformed: how to type it
    ],
    ids=["typo", "malformed"],
)
async def test_a_command_answered_in_its_ack_is_answered_at_the_gate_and_never_reaches_bolt(
    deps: Deps, sandbox: SlackSandbox, command: str, text: str, said: str
) -> None:
    async with a_request_pending(deps, sandbox) as pending:
        since = len(sandbox.state.calls)
        answer = await pending.driver.command("U0ADMIN", command, text)
        assert answer.status == 200
        assert answer.json()["response_type"] == "ephemeral" and said in answer.json()["text"]
        await pending.finish_the_other_request()
        await pending.bot.settle()
        assert pending.after.at_work == []
        assert sandbox.state.calls[since:] == []  # not even bolt's auth.test: bolt never ran
