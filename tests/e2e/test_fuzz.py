"""Property-based: well over a thousand generated requests a run, through the real bot over
signed HTTP: raw bodies, slash-command texts, DM texts, button values and modal states.

Whatever they hold, the bot answers with no 5xx, logs no traceback (an unexpected error is
logged with one), and what it refuses writes no row. Hypothesis runs in a worker thread and
hands each example to the bot's event loop; `derandomize` keeps every run the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.db.base import Base
from app.deps import Deps
from app.sandbox.driver import Answer, SlackDriver
from app.sandbox.harness import RunningBot
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action, View
from app.slack.metadata import ModalMeta, RepRef
from tests.support.factories import seed_org

# Examples a run, per kind (the sum is what one run sends: 1,200).
BODIES, COMMANDS, DMS, CLICKS, FORMS = 300, 250, 250, 200, 200
STRANGER = "U0STRANGER"  # in the workspace, not on the roster: everything of theirs is refused
REP, OTHER_REP, MANAGER, ADMIN = "U0REPA1", "U0REPA2", "U0MGRA", "U0ADMIN"
CYCLE = "2026-W48"


class Tracebacks(logging.Handler):
    """Every record that carries a traceback, or says an error was unexpected."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.exc_text or record.levelno >= logging.ERROR:
            self.found.append(f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}")


@dataclass
class World:
    deps: Deps
    bot: RunningBot
    driver: SlackDriver
    sandbox: SlackSandbox
    tracebacks: Tracebacks
    sent: int = 0

    async def rows(self) -> dict[str, int]:
        """Every table's row count, in one statement."""
        tables = [t.name for t in Base.metadata.sorted_tables]
        union = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in tables)
        async with self.deps.engine.connect() as connection:
            return {name: int(n) for name, n in (await connection.execute(text(union))).all()}

    async def send(self, request: Callable[[], Awaitable[Answer]], *, refused: bool) -> Answer:
        """Send one request and wait for the bot to finish with it. `refused`: the bot must
        turn it away, so no row may change."""
        before = await self.rows() if refused else None
        answer = await request()
        await self.bot.settle()
        self.sent += 1
        assert answer.status < 500, (answer.status, answer.text)
        assert not self.tracebacks.found, self.tracebacks.found
        if before is not None:
            assert await self.rows() == before
        return answer


@pytest.fixture
async def world(
    deps: Deps, bot: RunningBot, driver: SlackDriver, sandbox: SlackSandbox
) -> AsyncIterator[World]:
    await seed_org(deps)
    catcher = Tracebacks()
    root = logging.getLogger()
    root.addHandler(catcher)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield World(deps, bot, driver, sandbox, catcher)
    finally:
        root.removeHandler(catcher)
        root.setLevel(level)


async def run(
    world: World,
    strategy: st.SearchStrategy[Any],
    one: Callable[[Any], Awaitable[Any]],
    examples: int,
) -> None:
    """Run `one` for `examples` generated values on this loop, hypothesis in a thread."""
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(value: Any) -> None:
        asyncio.run_coroutine_threadsafe(one(value), loop).result(timeout=60)

    before = world.sent
    await asyncio.to_thread(check)
    assert world.sent - before >= examples * 0.9  # hypothesis ran (nearly) every example


# --- what is generated ----------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
user_ids = st.sampled_from([REP, OTHER_REP, MANAGER, ADMIN, STRANGER, "U" + "A" * 40, "x", ""])
cycles = st.sampled_from([CYCLE, "2026-W47", "2026-W99", "2025-W53", "9999-W01", "", "W48"])
words = st.sampled_from(
    [
        "add",
        "move",
        "remove",
        "pause",
        "schedule",
        "status",
        "help",
        "done",
        "until",
        "rep",
        "manager",
        "admin",
        "1:1",
        "thu",
        "14:00",
        "25:61",
        "2026-12-31",
        "2026-02-30",
        "<@U0REPA1>",
        "<@U0MGRA|maya>",
        f"<@U{'B' * 40}>",
        "https://app.gong.io/call?id=1",
        "javascript:alert(1)",
        "²",
        "١٢",
        "\u0000",
        "🙂",
        "&amp;",
        "<!channel>",
    ]
)
typed = st.one_of(
    st.lists(words | st.text(max_size=12), max_size=6).map(" ".join), st.text(max_size=200)
)
lines = st.lists(
    st.one_of(
        typed,
        st.builds(
            lambda name, url, moment, rest: f"{name} {url} {moment} - {rest}",
            st.text(max_size=20),
            st.sampled_from(
                [
                    "https://gong.io/call?id=1",
                    "<https://acme.zoom.us/rec/2|clip>",
                    "http://x",
                    "ftp://a",
                ]
            ),
            st.sampled_from(["12:30", "12:75", "1:2:99", "23:59:60", "99:99", "1:02:03", ""]),
            st.text(max_size=30),
        ),
    ),
    max_size=6,
).map("\n".join)


def payload_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Interaction payloads: Slack's keys, with values of any type."""
    return st.fixed_dictionaries(
        {"type": st.sampled_from(["block_actions", "view_submission", "shortcut"]) | json_values},
        optional={
            "team": st.fixed_dictionaries({"id": st.sampled_from(["T0SANDBOX", "T0OTHER"])})
            | json_values,
            "user": st.fixed_dictionaries({"id": user_ids}) | json_values,
            "actions": st.lists(
                st.fixed_dictionaries(
                    {"action_id": st.sampled_from([a.value for a in Action]) | json_values},
                    optional={"value": json_values, "selected_option": json_values},
                ),
                max_size=2,
            )
            | json_values,
            "view": json_values,
            "container": json_values,
            "trigger_id": json_values,
        },
    )


bodies = st.one_of(
    st.tuples(
        st.binary(max_size=300),
        st.sampled_from(["application/json", "application/x-www-form-urlencoded"]),
    ),
    st.tuples(json_values.map(lambda v: json.dumps(v).encode()), st.just("application/json")),
    st.tuples(
        payload_dicts().map(lambda p: urlencode({"payload": json.dumps(p)}).encode()),
        st.just("application/x-www-form-urlencoded"),
    ),
    st.tuples(
        st.dictionaries(
            st.sampled_from(["command", "team_id", "user_id", "text", "response_url", "ssl_check"]),
            st.text(max_size=20),
            max_size=6,
        ).map(lambda d: urlencode(d).encode()),
        st.just("application/x-www-form-urlencoded"),
    ),
)


# --- the properties -------------------------------------------------------------------------
async def test_generated_bodies_get_no_server_error_and_refusals_write_nothing(
    world: World,
) -> None:
    async def one(example: tuple[bytes, str]) -> None:
        body, content_type = example
        answer = await world.driver.post(body, content_type)
        await world.bot.settle()
        world.sent += 1
        assert answer.status < 500, (answer.status, answer.text)
        assert not world.tracebacks.found, world.tracebacks.found

    baseline = await world.rows()

    async def guarded(example: tuple[bytes, str]) -> None:
        await one(example)
        # Generated bodies are refused or name no one coach knows: nothing is ever written.
        assert await world.rows() == baseline

    await run(world, bodies, guarded, BODIES)


async def test_generated_commands(world: World) -> None:
    async def one(example: tuple[str, str, str]) -> None:
        user, command, typed_text = example
        refused = user in (STRANGER, OTHER_REP) and not (user == OTHER_REP and command == "/drill")
        await world.send(lambda: world.driver.command(user, command, typed_text), refused=refused)

    people = st.sampled_from([STRANGER, OTHER_REP, REP, ADMIN])
    await run(world, st.tuples(people, st.sampled_from(["/coach", "/drill"]), typed), one, COMMANDS)


async def test_generated_direct_messages(world: World) -> None:
    async def one(example: tuple[str, str, bool]) -> None:
        user, typed_text, threaded = example
        thread = "1700000000.000001" if threaded else None
        # A stranger's message is refused (answered, never kept); a rep's is kept and read.
        await world.send(
            lambda: world.driver.dm(user, typed_text, thread_ts=thread),
            refused=user == STRANGER,
        )

    people = st.sampled_from([STRANGER, REP, MANAGER])
    await run(world, st.tuples(people, lines, st.booleans()), one, DMS)


async def test_generated_button_values(world: World) -> None:
    values = st.one_of(
        json_values.map(json.dumps),
        st.builds(lambda r, c, s: f"{r}|{c}|{s}", user_ids, cycles, st.text(max_size=3)),
        st.builds(lambda r, c: RepRef(r, c).dump(), st.sampled_from([REP, OTHER_REP]), cycles),
        st.builds(
            lambda v, r: f"{v}:{r}",
            st.sampled_from(["diagnose", "notes", "view", "pause", "x"]),
            st.text(max_size=30),
        ),
        st.sampled_from(["dm|1", "dm|999999999999999999", "dm|-1", "dm|²"]),
    )

    async def one(example: tuple[str, str, str | None, bool]) -> None:
        user, action, value, with_message = example
        message = {"ts": "1700000000.000100", "blocks": []} if with_message else None
        await world.send(
            lambda: world.driver.click(user, action, value, message=message),
            refused=user == STRANGER,
        )

    people = st.sampled_from([STRANGER, REP, MANAGER])
    actions = st.sampled_from(
        [a.value for a in Action if a not in (Action.SCORE, Action.DEAL_PROGRESS)]
        + [f"{Action.SCORE}_3", f"{Action.DEAL_PROGRESS}_yes"]
    )
    await run(world, st.tuples(people, actions, st.none() | values, st.booleans()), one, CLICKS)


def state_values() -> st.SearchStrategy[dict[str, Any]]:
    """Form state: the real block ids, each holding what an element holds, or anything."""
    blocks = st.sampled_from(
        [
            "deal1_name",
            "deal1_clip_url",
            "deal1_moment",
            "deal1_stage",
            "deal2_name",
            "can_do",
            "knows",
            "gap_override",
            "focus_skill",
            "evidence_url",
            "evidence_moment",
            "rubric_level:discovery",
            "framework",
            "scaling",
            "minutes",
            "situation",
            "clip_url",
            "goal",
            "reality",
            "options",
            "commitment",
            "accountability",
            "obstacles",
            "drill_choice",
            "practice_reps",
            "follow_up_on",
            "follow_up_check",
            "not_held",
            "new_drill_name",
            "link",
            "step",
            "weekday",
            "at",
            "team",
            "until",
            "person",
            "role",
            "manager",
            "private_notes",
        ]
    )
    element = st.one_of(
        st.fixed_dictionaries({"value": st.fixed_dictionaries({"value": typed})}),
        st.fixed_dictionaries(
            {
                "value": st.fixed_dictionaries(
                    {"selected_option": st.fixed_dictionaries({"value": typed})}
                )
            }
        ),
        st.fixed_dictionaries({"value": st.fixed_dictionaries({"selected_date": typed})}),
        st.fixed_dictionaries({"value": st.fixed_dictionaries({"selected_time": typed})}),
        st.fixed_dictionaries({"value": st.fixed_dictionaries({"selected_user": user_ids})}),
        st.fixed_dictionaries({"value": st.fixed_dictionaries({"selected_options": json_values})}),
        json_values,
    )
    return st.dictionaries(blocks, element, max_size=8)


async def test_generated_modal_states(world: World) -> None:
    metadata = st.one_of(
        st.builds(lambda r, c: ModalMeta(r, c).dump(), st.sampled_from([REP, OTHER_REP]), cycles),
        st.builds(
            lambda c, t: json.dumps({"rep": REP, "cycle": CYCLE, "channel": c, "ts": t}),
            json_values,
            json_values,
        ),
        json_values.map(json.dumps),
        st.text(max_size=40),
    )

    async def one(example: tuple[str, str, str, dict[str, Any]]) -> None:
        user, callback, meta, values = example
        view = {"id": "V0FUZZ", "callback_id": callback, "private_metadata": meta}
        before = await world.rows()
        answer = await world.send(
            lambda: world.driver.submit(user, view, values), refused=user == STRANGER
        )
        acked = answer.json() or {}
        if acked.get("response_action") == "errors":  # refused field by field: nothing stored
            assert await world.rows() == before

    people = st.sampled_from([STRANGER, REP, MANAGER, ADMIN])
    callbacks = st.sampled_from([v.value for v in View])
    await run(world, st.tuples(people, callbacks, metadata, state_values()), one, FORMS)
