"""App Home per role, profile time zones, and Events API retries."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.models import EventReceipt, Person
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from tests.support.factories import seed_org
from tests.support.slack_answers import home_text


async def test_each_role_gets_its_own_valid_home(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    rep = await home_text(sandbox, driver, "U0REPA1")
    manager = await home_text(sandbox, driver, "U0MGRA")
    director = await home_text(sandbox, driver, "U0DIR")
    admin = await home_text(sandbox, driver, "U0ADMIN")
    stranger = await home_text(sandbox, driver, "U0STRANGER")
    assert len({rep, manager, director, admin, stranger}) == 5

    assert "Your coaching week" in rep and "coached by @U0MGRA (director @U0DIR)" in rep
    assert "America/Los_Angeles" in rep
    assert "*Your reps* (2)" in manager and "@U0REPA1" in manager and "@U0REPB1" not in manager
    assert "*Your managers* (2)" in director and "@U0MGRB · 1 rep ·" in director
    assert "*Roster:* 3 reps, 2 managers, 1 director, 1 admin." in admin
    assert "not on the coaching roster yet" in stranger and "@U0ADMIN" in stranger


async def test_a_manager_sees_only_their_own_reps(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    other = await home_text(sandbox, driver, "U0MGRB")
    assert "@U0REPB1" in other
    assert "@U0REPA1" not in other and "@U0REPA2" not in other


async def test_home_reads_the_time_zone_from_slack_once(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps, profiles_read=False)
    sandbox.state.users["U0REPA1"].tz = "Asia/Tokyo"  # Slack knows better than the roster
    assert "Asia/Tokyo" in await home_text(sandbox, driver, "U0REPA1")
    await home_text(sandbox, driver, "U0REPA1")
    assert len(sandbox.calls_to("users.info")) == 1  # cached after the first read


async def test_user_change_updates_tz_and_retries_are_applied_once(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps
) -> None:
    await seed_org(deps)
    sandbox.state.users["U0REPB1"].tz = "Europe/Lisbon"
    for retry in (None, 1, 2):
        answer = (
            await driver.user_change("U0REPB1", event_id="Ev0SAME")
            if retry is None
            else (
                await driver.event(
                    {
                        "type": "user_change",
                        "user": sandbox.state.users["U0REPB1"].as_slack(
                            sandbox.clock(), driver.team_id
                        ),
                    },
                    event_id="Ev0SAME",
                    retry_num=retry,
                )
            )
        )
        assert answer.status == 200

    async def settled() -> tuple[str | None, int]:
        async with deps.db() as session:
            tz = await session.scalar(select(Person.tz).where(Person.slack_user_id == "U0REPB1"))
            receipts = await session.scalar(select(func.count()).select_from(EventReceipt))
            return tz, int(receipts or 0)

    for _ in range(200):
        tz, receipts = await settled()
        if tz == "Europe/Lisbon":
            break
        import asyncio

        await asyncio.sleep(0.01)
    assert (tz, receipts) == ("Europe/Lisbon", 1)
