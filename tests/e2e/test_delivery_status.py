"""/coach status and the admin's Home: messages that didn't reach people, in plain words.

"Now" is Thursday 2026-11-26 12:00 UTC, in week 2026-W48 (Monday Nov 23). The coaching org of
conftest lives in T0SANDBOX; T0OTHER is another workspace whose deliveries must never show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import pytest

from app.clock import FrozenClock
from app.db.models import Delivery
from app.db.store import Store
from app.deps import Deps
from app.rules import calendar
from app.rules.types import DeliveryStatus, Step
from app.sandbox.blockkit import check_message_blocks
from app.sandbox.driver import SlackDriver
from app.sandbox.server import SlackSandbox
from app.sandbox.transcript import blocks_to_text
from app.services import people
from app.services.delivery_health import MAX_SHOWN, delivery_health
from app.services.roster import apply_roster, parse_roster_csv
from tests.support.factories import TEAM_ID, count_rows, mark_profiles_read, seed_org
from tests.support.slack_answers import home_text
from tests.support.statements import recorded_statements

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OTHER_TEAM = "T0OTHER"
OTHER_CSV = """slack_user_id,role,manager_slack_user_id,timezone
U0FARMGR,manager,,Asia/Tokyo
U0FARREP,rep,U0FARMGR,Asia/Tokyo
U0FARADMIN,admin,,UTC
"""

Seed = tuple[str, Step, datetime, DeliveryStatus, str | None]  # who, what, due, state, error


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


FAILED, SKIPPED, SENT = DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.SENT
OURS: list[Seed] = [
    # this week (W48)
    ("U0REPA1", Step.REP_PROMPT, utc(23, 17), FAILED, "account_inactive"),  # Mon 09:00 LA
    ("U0REPA2", Step.REP_PROMPT, utc(23, 14), SENT, None),
    ("U0REPB1", Step.REP_PROMPT, utc(23, 8), SENT, None),
    ("U0MGRA", Step.MANAGER_REVIEW, utc(23, 17), SENT, None),
    ("U0MGRB", Step.MANAGER_PREP, utc(24, 8), FAILED, "messages_tab_disabled"),
    ("U0REPA2", Step.ONE_ON_ONE, utc(26, 2), SKIPPED, "window_passed"),  # Wed 21:00 New York
    ("U0REPB1", Step.ONE_ON_ONE, utc(26, 11), DeliveryStatus.PENDING, "ratelimited"),
    ("U0REPA1", Step.ONE_ON_ONE, utc(26, 11), DeliveryStatus.SENDING, None),
    ("U0REPB1", Step.REP_REMINDER, utc(23, 14), SKIPPED, None),  # paused: not a problem
    ("U0REPA2", Step.REP_REMINDER, utc(23, 20), DeliveryStatus.CANCELLED, "already_answered"),
    # last week (W47): listed while younger than 7 days, never counted in this week
    ("U0REPB1", Step.DIGEST, utc(20, 16), FAILED, "user_not_found"),
    ("U0DIR", Step.DIGEST, utc(20, 22), FAILED, "weird_new_error"),
    ("U0MGRA", Step.DIGEST, utc(13, 23), FAILED, "cannot_dm_bot"),  # 13 days ago: too old
]
THEIRS: list[Seed] = [
    ("U0FARREP", Step.REP_PROMPT, utc(23, 0), FAILED, "user_not_found"),
    ("U0FARREP", Step.ONE_ON_ONE, utc(25, 0), SKIPPED, "window_passed"),
    ("U0FARMGR", Step.MANAGER_REVIEW, utc(23, 0), SENT, None),
]

EXPECTED_LINES = [
    "• @U0REPA2 — 1:1 agenda, Wed Nov 25 — It couldn't go out before its time slot closed "
    "(coach was down, or Slack was slow): nothing to do if it's rare;",
    "• @U0MGRB — team prep, Tue Nov 24 — The Messages tab of coach is turned off in your app "
    "settings: turn it on under App Home → Show Tabs at api.slack.com/apps.",
    "• @U0REPA1 — deal prompt, Mon Nov 23 — Slack says the account is deactivated: remove "
    "them with `/coach remove @person`.",
    "• @U0DIR — digest, Fri Nov 20 — Slack refused it (`weird_new_error`): tell whoever runs "
    "coach.",
    "• @U0REPB1 — digest, Fri Nov 20 — Slack can't find this person (they may have left the "
    "workspace): remove them with `/coach remove @person`.",
]


async def seed_deliveries(deps: Deps, team_id: str, seeds: Sequence[Seed]) -> None:
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(team_id, NOW)
        for who, kind, due, status, error in seeds:
            person = await store.person(workspace.id, who)
            assert person is not None, who
            local = ZoneInfo(person.tz or "UTC")
            store.add(
                Delivery(
                    workspace_id=workspace.id,
                    person_id=person.id,
                    kind=kind,
                    cycle_week=calendar.current_cycle(due, local),
                    due_at=due,
                    expires_at=due + timedelta(hours=4),
                    status=status,
                    error=error,
                    created_at=due,
                )
            )


async def seed_other_workspace(deps: Deps) -> None:
    async with deps.db.begin() as session:
        store = Store(session)
        workspace = await store.ensure_workspace(OTHER_TEAM, NOW)
        await apply_roster(store, workspace, parse_roster_csv(OTHER_CSV), NOW)
        await mark_profiles_read(session, workspace.id, NOW)
    await seed_deliveries(deps, OTHER_TEAM, THEIRS)


@pytest.fixture
async def seeded(deps: Deps, clock: FrozenClock) -> Deps:
    clock.set(NOW)
    deps.clock = clock  # the running bot reads the same Deps
    await seed_org(deps)
    await seed_deliveries(deps, TEAM_ID, OURS)
    await seed_other_workspace(deps)
    return deps


async def status(driver: SlackDriver, user: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    fields = parse_qs(driver.command_body(user, "/coach", "status").decode())
    fields["team_id"] = [team_id]
    answer = await driver.send_command(urlencode(fields, doseq=True).encode())
    assert answer.status == 200
    body: dict[str, Any] = answer.json()
    assert body["response_type"] == "ephemeral"
    return body


# --- over signed HTTP -----------------------------------------------------------------------


async def test_admin_sees_the_week_and_what_did_not_arrive(
    driver: SlackDriver, seeded: Deps
) -> None:
    body = await status(driver, "U0ADMIN")
    assert check_message_blocks(body["blocks"]) == []
    assert body["text"] == (
        "This week (2026-W48): 3 sent · 2 waiting · 2 failed · 1 skipped "
        "(and 1 paused, 1 not needed). 5 messages not delivered in the last 7 days."
    )
    shown = blocks_to_text(body["blocks"])
    assert "*This week (2026-W48):* 3 sent · 2 waiting · 2 failed · 1 skipped" in shown
    assert "*Delivery problems* — 5 messages not delivered in the last 7 days" in shown
    lines = [line for line in shown.splitlines() if line.startswith("• ")]
    assert len(lines) == len(EXPECTED_LINES)
    for line, expected in zip(lines, EXPECTED_LINES, strict=True):
        assert line.startswith(expected)
    assert "cannot_dm_bot" not in shown and "bot" not in shown  # 13 days old
    assert "FAR" not in shown  # another workspace's people never show


async def test_the_other_workspace_sees_only_its_own(driver: SlackDriver, seeded: Deps) -> None:
    body = await status(driver, "U0FARADMIN", OTHER_TEAM)
    assert body["text"].startswith("This week (2026-W48): 1 sent · 0 waiting · 1 failed · 1 skip")
    shown = blocks_to_text(body["blocks"])
    assert "@U0FARREP — deal prompt, Mon Nov 23 — Slack can't find this person" in shown
    assert "U0REP" not in shown and "U0MGR" not in shown


async def test_a_long_list_is_capped(driver: SlackDriver, seeded: Deps) -> None:
    many = [
        (who, kind, utc(25, 9), FAILED, "channel_not_found")
        for who in ("U0REPA1", "U0REPA2", "U0REPB1")
        for kind in (Step.DRILL_CHECK, Step.DIGEST, Step.PROMPT_AGAIN, Step.DRILL_CARD)
    ]
    await seed_deliveries(seeded, TEAM_ID, many)
    body = await status(driver, "U0ADMIN")
    assert check_message_blocks(body["blocks"]) == []
    shown = blocks_to_text(body["blocks"])
    assert sum(1 for line in shown.splitlines() if line.startswith("• ")) == MAX_SHOWN
    total = len(many) + len(EXPECTED_LINES)
    assert f"{total} messages not delivered" in shown
    assert f"…and {total - MAX_SHOWN} more." in shown
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")


@pytest.mark.parametrize("who", ["U0REPA1", "U0MGRA", "U0STRANGER"])
async def test_anyone_but_an_admin_is_refused_and_learns_nothing(
    driver: SlackDriver, seeded: Deps, who: str
) -> None:
    before = await count_rows(seeded)
    body = await status(driver, who)
    assert body["text"] == "Only a coach admin can see delivery status: ask <@U0ADMIN>."
    assert not body.get("blocks")
    assert await count_rows(seeded) == before


async def test_status_takes_nothing_after_it(driver: SlackDriver, seeded: Deps) -> None:
    answer = await driver.command("U0ADMIN", "/coach", "status everything")
    assert answer.json()["text"] == "Use `/coach status` on its own."


async def test_a_quiet_week_says_so(driver: SlackDriver, deps: Deps, clock: FrozenClock) -> None:
    clock.set(NOW)
    deps.clock = clock
    await seed_org(deps)
    body = await status(driver, "U0ADMIN")
    assert body["text"] == (
        "This week (2026-W48): 0 sent · 0 waiting · 0 failed · 0 skipped. "
        "No delivery problems in the last 7 days."
    )


async def test_help_lists_status(driver: SlackDriver) -> None:
    answer = await driver.command("U0ADMIN", "/coach", "help")
    assert "`/coach status`" in blocks_to_text(answer.json()["blocks"])


# --- the App Home ---------------------------------------------------------------------------


async def test_the_admin_home_shows_the_same_problems(
    sandbox: SlackSandbox, driver: SlackDriver, seeded: Deps
) -> None:
    admin = await home_text(sandbox, driver, "U0ADMIN")
    assert "*Delivery problems* — 5 messages not delivered in the last 7 days" in admin
    lines = [line for line in admin.splitlines() if line.startswith("• @")]
    for line, expected in zip(lines, EXPECTED_LINES, strict=True):
        assert line.startswith(expected)
    for other in ("U0MGRA", "U0REPA1", "U0DIR"):
        assert "Delivery problems" not in await home_text(sandbox, driver, other)


async def test_no_problems_no_section(
    sandbox: SlackSandbox, driver: SlackDriver, deps: Deps, clock: FrozenClock
) -> None:
    clock.set(NOW)
    deps.clock = clock
    await seed_org(deps)
    await seed_deliveries(deps, TEAM_ID, [s for s in OURS if s[3] not in (FAILED, SKIPPED)])
    await seed_other_workspace(deps)  # their problems are not ours
    admin = await home_text(sandbox, driver, "U0ADMIN")
    assert "*Roster:*" in admin and "Delivery problems" not in admin


# --- the report's cost ----------------------------------------------------------------------


async def test_the_report_reads_the_same_number_of_statements_for_any_volume(
    seeded: Deps,
) -> None:
    """No N+1: one aggregate and two bounded lists (what did not arrive, and whose time zone
    is a guess), however many deliveries went wrong."""

    async def measured() -> tuple[int, int]:
        async with seeded.db() as session:
            store = Store(session)
            actor = await people.actor(store, TEAM_ID, "U0ADMIN")
            with recorded_statements(*seeded.engines) as statements:
                health = await delivery_health(store, actor, NOW, "UTC")
            return health.total_problems, len(statements)

    few, few_statements = await measured()
    await seed_deliveries(
        seeded,
        TEAM_ID,
        [
            (who, kind, utc(25, 9), FAILED, "is_archived")
            for who in ("U0REPA1", "U0REPA2", "U0REPB1", "U0MGRA", "U0MGRB", "U0DIR")
            for kind in (Step.DRILL_CHECK, Step.DIGEST, Step.PROMPT_AGAIN, Step.DRILL_CARD)
        ],
    )
    many, many_statements = await measured()
    assert (few, many) == (5, 29)
    assert few_statements == many_statements == 3


# --- the wording (pure) ---------------------------------------------------------------------
