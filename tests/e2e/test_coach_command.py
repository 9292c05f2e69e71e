"""/coach: admins change one person at a time; anyone else is refused and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Person
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from tests.support.factories import count_rows, seed_org
from tests.support.slack_answers import coach


async def person(deps: Deps, slack_user_id: str) -> Person | None:
    async with deps.db() as session:
        return await session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))


async def test_admin_adds_a_rep_with_escaped_mentions(
    driver: SlackDriver, deps: Deps, sandbox: SlackSandbox
) -> None:
    await seed_org(deps)
    sandbox.add_user("U0NEW", "Finn", "Europe/Paris")
    reply = await coach(driver, "U0ADMIN", "add <@U0NEW|finn> rep <@U0MGRA|maya>")
    assert reply == (
        "Added <@U0NEW> as a rep, reporting to <@U0MGRA>. "
        "Their time zone, from Slack: Europe/Paris."
    )
    added = await person(deps, "U0NEW")
    manager = await person(deps, "U0MGRA")
    assert added is not None and manager is not None
    assert added.manager_id == manager.id and added.active
    assert (added.tz, added.profile_error) == ("Europe/Paris", None)  # read at once


async def test_someone_slack_does_not_know_is_added_with_the_default_zone_and_a_why(
    driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    reply = await coach(driver, "U0ADMIN", "add <@U0GHOST> rep <@U0MGRA>")
    assert reply == (
        "Added <@U0GHOST> as a rep, reporting to <@U0MGRA>. coach couldn't read their Slack "
        "profile (user_not_found): their messages go out at UTC time until it can; "
        "`/coach status` says what to do."
    )
    added = await person(deps, "U0GHOST")
    assert added is not None and added.profile_error == "user_not_found"
    status = await coach(driver, "U0ADMIN", "status")
    assert "1 person without a readable Slack profile" in status


async def test_admin_moves_and_removes(driver: SlackDriver, deps: Deps) -> None:
    await seed_org(deps)
    assert await coach(driver, "U0ADMIN", "move <@U0REPA1> <@U0MGRB>") == (
        "<@U0REPA1> is now a rep, reporting to <@U0MGRB>."
    )
    moved, new_manager = await person(deps, "U0REPA1"), await person(deps, "U0MGRB")
    assert moved is not None and new_manager is not None and moved.manager_id == new_manager.id

    assert "off the roster" in await coach(driver, "U0ADMIN", "remove <@U0REPA1>")
    removed = await person(deps, "U0REPA1")
    assert removed is not None and removed.active is False


@pytest.mark.parametrize("intruder", ["U0REPA1", "U0MGRA", "U0DIR", "U0STRANGER"])
async def test_non_admins_are_refused_and_nothing_changes(
    driver: SlackDriver, deps: Deps, intruder: str
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    reply = await coach(driver, intruder, "add <@U0NEW> rep <@U0MGRA>")
    assert reply == "Only a coach admin can change the roster: ask <@U0ADMIN>."
    assert await count_rows(deps) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "add <@U0NEW> boss <@U0MGRA>",
            "'boss' isn't a role: use rep, manager, director or admin.",
        ),
        ("add <@U0NEW> rep", "Nothing changed: rep U0NEW has no manager_slack_user_id."),
        (
            "add <@U0NEW> rep <@U0GHOST>",
            "Nothing changed: manager U0GHOST of U0NEW is not on the roster.",
        ),
        ("add maya rep <@U0MGRA>", "'maya' isn't a person: mention them as @name for the person."),
        ("move <@U0MGRA> <@U0REPA1>", "Nothing changed: U0MGRA (manager) cannot report to U0REPA1"),
        ("move <@U0DIR> <@U0MGRA>", "Nothing changed: U0DIR (director) cannot report to U0MGRA"),
        ("remove <@U0MGRA>", "Nothing changed: <@U0REPA1>, <@U0REPA2> still report to <@U0MGRA>"),
        ("remove <@U0NOBODY>", "<@U0NOBODY> is not on the roster, so there is nothing to remove."),
        ("move <@U0NOBODY> <@U0MGRA>", "<@U0NOBODY> is not on the roster: add them with"),
        ("move <@U0REPA1>", "Use `/coach move @person @new-manager`."),
    ],
)
async def test_bad_input_gets_one_sentence_and_changes_nothing(
    driver: SlackDriver, deps: Deps, text: str, expected: str
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    reply = await coach(driver, "U0ADMIN", text)
    assert reply.startswith(expected)
    assert await count_rows(deps) == before


async def test_help_and_unknown(driver: SlackDriver) -> None:
    assert "admins only" in await coach(driver, "U0REPA1", "")
    assert (await coach(driver, "U0REPA1", "frobnicate")).startswith(
        "I don't know `/coach frobnicate`"
    )
