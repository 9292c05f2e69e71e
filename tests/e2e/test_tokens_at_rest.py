"""Slack tokens at rest: an OAuth install stores no token in the clear, the
bot and the outbox work from sealed tokens, and rotating the key re-seals every row."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import select

from app import cli
from app.clock import system_clock
from app.db.base import Base
from app.db.models import Person, Workspace
from app.db.slack_tables import bots
from app.deps import Deps
from app.rules.types import Role
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.sandbox.server import SlackSandbox
from app.slack.client import OutboxClients
from app.slack.sealed_store import installation_store, unsealed_store
from app.token_cipher import TokenKeyError, key_id_of, new_key_line
from tests.support.factories import SIGNING_SECRET, TEAM_ID, empty_tables, make_settings, seed_org
from tests.support.log_capture import Capture

OLD_KEY = new_key_line("k1")
NEW_KEY = new_key_line("k2")
TOKEN_PREFIXES = ("xoxb-", "xoxe-", "xoxp-")


def oauth_deps(database_url: str, sandbox: SlackSandbox, keys: str) -> Deps:
    settings = make_settings(
        database_url,
        sandbox,
        slack_bot_token=None,
        slack_client_id=sandbox.client_id,
        slack_client_secret=sandbox.client_secret,
        slack_state_secret="test-state-secret",
        coach_token_keys=keys,
    )
    return Deps.build(settings, system_clock)


@pytest.fixture
async def deps(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Deps]:
    built = oauth_deps(database_url, sandbox, OLD_KEY)
    await empty_tables(built)
    await seed_org(built)
    yield built
    await built.close()


@contextlib.asynccontextmanager
async def running(
    deps: Deps, sandbox: SlackSandbox
) -> AsyncIterator[tuple[RunningBot, SlackDriver]]:
    """The bot over HTTP with these settings, and Slack's side of it."""
    bot = await start_bot(deps)
    driver = SlackDriver(sandbox, bot.url, SIGNING_SECRET)
    try:
        yield bot, driver
    finally:
        await driver.close()
        await bot.stop()


@pytest.fixture
async def installed(deps: Deps, sandbox: SlackSandbox) -> None:
    async with running(deps, sandbox) as (_, driver):
        answer = await driver.install()
    assert answer.status == 200, answer.text


async def coach_cli(*argv: str) -> int:
    """`coach …` as the admin runs it (its own event loop, so in a thread here)."""
    return await asyncio.to_thread(cli.run, list(argv))


async def database_text(deps: Deps) -> str:
    """Every value of every table, as a dump would show it."""
    parts: list[str] = []
    async with deps.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


async def stored_bot_tokens(deps: Deps) -> list[str]:
    async with deps.engine.connect() as connection:
        return list((await connection.scalars(select(bots.c.bot_token))).all())


async def outbox_client_works(deps: Deps) -> bool:
    async with deps.reads() as session:
        workspace_id = await session.scalar(
            select(Workspace.id).where(Workspace.team_id == TEAM_ID)
        )
    assert workspace_id is not None
    clients = OutboxClients(deps)
    try:
        client = await clients(workspace_id)
        return bool((await client.auth_test())["ok"])
    finally:
        await clients.close()


async def answer_to_drill_status(deps: Deps, sandbox: SlackSandbox) -> str:
    async with running(deps, sandbox) as (_, driver):
        answer = await driver.command("U0REPA1", "/drill", "status")
    assert answer.status == 200
    return answer.text


async def test_an_oauth_install_stores_no_token_in_the_clear(
    deps: Deps, sandbox: SlackSandbox, installed: None
) -> None:
    dump = await database_text(deps)
    assert sandbox.bot_token not in dump
    assert not [prefix for prefix in TOKEN_PREFIXES if prefix in dump]
    tokens = await stored_bot_tokens(deps)
    assert tokens and {key_id_of(token) for token in tokens} == {"k1"}
    # ...and the sealed token works for the bot and for scheduled DMs.
    assert "drill" in (await answer_to_drill_status(deps, sandbox)).lower()
    assert await outbox_client_works(deps)


async def test_a_second_install_is_sealed_too(
    deps: Deps, sandbox: SlackSandbox, installed: None
) -> None:
    async with running(deps, sandbox) as (_, driver):
        assert (await driver.install()).status == 200
    tokens = await stored_bot_tokens(deps)
    assert len(tokens) == 2 and {key_id_of(token) for token in tokens} == {"k1"}
    assert len(set(tokens)) == 2  # a fresh nonce each time: equal tokens do not look equal


async def test_rotating_the_key_reseals_every_token_and_sending_goes_on(
    deps: Deps,
    sandbox: SlackSandbox,
    installed: None,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_new = oauth_deps(database_url, sandbox, NEW_KEY)
    try:
        with pytest.raises(TokenKeyError, match="key 'k1'"):
            await outbox_client_works(only_new)  # before resealing, k1 is still needed

        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("COACH_TOKEN_KEYS", f"{NEW_KEY},{OLD_KEY}")
        assert await coach_cli("tokens", "reseal") == 0
        assert "with key 'k2'" in capsys.readouterr().out
        assert {key_id_of(token) for token in await stored_bot_tokens(deps)} == {"k2"}
        assert sandbox.bot_token not in await database_text(deps)

        # The old key can go now: the bot and the outbox work with k2 alone.
        assert await outbox_client_works(only_new)
        assert "drill" in (await answer_to_drill_status(only_new, sandbox)).lower()
    finally:
        await only_new.close()


async def test_resealing_without_the_old_key_changes_nothing_and_says_what_to_do(
    deps: Deps,
    installed: None,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = await stored_bot_tokens(deps)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_TOKEN_KEYS", NEW_KEY)
    assert await coach_cli("tokens", "reseal") == 1
    error = capsys.readouterr().err.strip()
    assert "key 'k1'" in error and "COACH_TOKEN_KEYS" in error and error.count("\n") == 0
    assert await stored_bot_tokens(deps) == before


async def test_tokens_stored_before_sealing_still_work_and_get_sealed(
    deps: Deps, sandbox: SlackSandbox, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await unsealed_store(deps).async_save(
        Installation(
            app_id="A0COACH",
            team_id=TEAM_ID,
            user_id="U0INSTALLER",
            bot_token=sandbox.bot_token,
            bot_id="B0COACH",
            bot_user_id="U0COACHBOT",
        )
    )
    assert await stored_bot_tokens(deps) == [sandbox.bot_token]
    assert await outbox_client_works(deps)

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COACH_TOKEN_KEYS", OLD_KEY)
    assert await coach_cli("tokens", "reseal") == 0
    assert {key_id_of(token) for token in await stored_bot_tokens(deps)} == {"k1"}
    assert sandbox.bot_token not in await database_text(deps)
    found = await installation_store(deps).async_find_installation(
        enterprise_id=None, team_id=TEAM_ID
    )
    assert found is not None and found.bot_token == sandbox.bot_token


async def test_uninstalling_forgets_the_tokens_and_reinstalling_resumes(
    deps: Deps, sandbox: SlackSandbox, installed: None
) -> None:
    async with running(deps, sandbox) as (bot, driver):
        assert (await driver.event({"type": "app_uninstalled"})).status == 200
        await bot.settle()
        assert await stored_bot_tokens(deps) == []
        assert not await workspace_active(deps)

        assert (await driver.install()).status == 200
        assert await workspace_active(deps)
        assert await outbox_client_works(deps)


async def workspace_active(deps: Deps) -> bool:
    async with deps.reads() as session:
        return bool(
            await session.scalar(select(Workspace.active).where(Workspace.team_id == TEAM_ID))
        )


async def test_installing_and_resealing_at_debug_log_no_token_or_key(
    debug_capture: Capture,
    database_url: str,
    sandbox: SlackSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Logging is configured first, as `coach serve` does, then the deps are built."""
    deps = oauth_deps(database_url, sandbox, OLD_KEY)
    try:
        await empty_tables(deps)
        await seed_org(deps)
        async with running(deps, sandbox) as (_, driver):
            assert (await driver.install()).status == 200
            assert (await driver.command("U0REPA1", "/drill", "status")).status == 200
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("COACH_TOKEN_KEYS", f"{NEW_KEY},{OLD_KEY}")
        assert await coach_cli("tokens", "reseal") == 0
    finally:
        await deps.close()

    assert logging.DEBUG in debug_capture.levels
    output = "\n".join(debug_capture.lines)
    secrets = (*TOKEN_PREFIXES, sandbox.client_secret, OLD_KEY.split(":")[1], NEW_KEY.split(":")[1])
    assert [secret for secret in secrets if secret in output] == []


async def test_the_installer_of_a_new_workspace_is_its_first_coach_admin(
    database_url: str, sandbox: SlackSandbox
) -> None:
    """The Home tells the installer to `/coach add` people: now that works for them."""
    deps = oauth_deps(database_url, sandbox, OLD_KEY)
    await empty_tables(deps)
    sandbox.add_user("U0INSTALLER", "Ira", "Europe/Dublin")
    try:
        async with running(deps, sandbox) as (_, driver):
            assert (await driver.install("U0INSTALLER")).status == 200
            answer = await driver.command("U0INSTALLER", "/coach", "add <@U0MGRA> manager")
            assert answer.json()["text"].startswith("Added <@U0MGRA> as a manager.")
            stranger = await driver.command("U0REPA1", "/coach", "add <@U0REPA2> admin")
            assert stranger.json()["text"] == (
                "Only a coach admin can change the roster: ask <@U0INSTALLER>."
            )
        async with deps.reads() as session:
            installer = await session.scalar(
                select(Person).where(Person.slack_user_id == "U0INSTALLER")
            )
        assert installer is not None
        assert (installer.role, installer.tz) == (Role.ADMIN, "Europe/Dublin")
    finally:
        await deps.close()
