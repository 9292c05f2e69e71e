"""The sandbox must refuse what Slack refuses, or the rest of the suite proves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.clock import FrozenClock
from app.sandbox.server import SlackSandbox
from app.slack.client import make_web_client
from tests.support.factories import make_settings

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Share my deals"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "deal",
            "label": {"type": "plain_text", "text": "Deal"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        }
    ],
}


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def box(frozen: FrozenClock) -> Any:
    sandbox = SlackSandbox(clock=frozen)
    await sandbox.start()
    sandbox.add_user("U0ANA", "Ana", "America/Los_Angeles")
    sandbox.add_user("U0GONE", "Gone", deleted=True)
    yield sandbox
    await sandbox.stop()


def client_for(box: SlackSandbox, token: str | None = None) -> AsyncWebClient:
    # No retry handlers: these tests look at each answer as Slack gives it.
    return AsyncWebClient(token=token or box.bot_token, base_url=box.api_url)


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_a_valid_dm_is_stored_with_its_dm_channel(box: SlackSandbox) -> None:
    response = await client_for(box).chat_postMessage(channel="U0ANA", text="hi", blocks=[SECTION])
    assert response["channel"] == "D0ANA"
    assert box.messages_to("U0ANA")[0].text == "hi"


@pytest.mark.parametrize(
    ("blocks", "why"),
    [
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "over 3000"),
        ([{"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}}], "unknown type"),
        ([{**SECTION, "txet": "typo"}], "unknown key"),
        ([SECTION] * 51, "over 50 blocks"),
        ([{**SECTION, "block_id": "a"}, {**SECTION, "block_id": "a"}], "repeated block_id"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "x" * 76},
                            "action_id": "a",
                        }
                    ],
                }
            ],
            "button text over 75",
        ),
    ],
)
async def test_invalid_block_kit_is_refused(box: SlackSandbox, blocks: list, why: str) -> None:
    error = await error_of(
        client_for(box).chat_postMessage(channel="U0ANA", text="t", blocks=blocks)
    )
    assert error == "invalid_blocks", why
    assert box.messages_to("U0ANA") == []


async def test_blocks_without_fallback_text_are_refused(box: SlackSandbox) -> None:
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns; the sandbox refuses
        error = await error_of(client_for(box).chat_postMessage(channel="U0ANA", blocks=[SECTION]))
    assert error == "no_text"


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("U0NOBODY", "channel_not_found"),
        ("U0GONE", "account_inactive"),
        ("C0NOPE", "channel_not_found"),
    ],
)
async def test_unknown_or_inactive_recipients(box: SlackSandbox, channel: str, error: str) -> None:
    assert await error_of(client_for(box).chat_postMessage(channel=channel, text="hi")) == error


async def test_messages_tab_disabled(box: SlackSandbox) -> None:
    box.messages_tab_enabled = False
    assert await error_of(client_for(box).chat_postMessage(channel="U0ANA", text="hi")) == (
        "messages_tab_disabled"
    )


async def test_auth_and_scopes(box: SlackSandbox) -> None:
    assert await error_of(client_for(box, "xoxb-someone-else").auth_test()) == "invalid_auth"
    box.bot_scopes = frozenset({"commands"})
    assert await error_of(client_for(box).users_info(user="U0ANA")) == "missing_scope"
    answer = await client_for(box).auth_test()  # needs no scope
    assert answer["team_id"] == box.state.team_id


async def test_oauth_codes_check_the_app_and_work_once_within_ten_minutes(
    box: SlackSandbox, frozen: FrozenClock
) -> None:
    app = AsyncWebClient(base_url=box.api_url)
    secret = box.client_secret

    def exchange(code: str, client_id: str = box.client_id, client_secret: str = secret) -> Any:
        return app.oauth_v2_access(client_id=client_id, client_secret=client_secret, code=code)

    code = box.approve_install("U0ANA")
    assert await error_of(exchange(code, client_id="9.9")) == "invalid_client_id"
    assert await error_of(exchange(code, client_secret="guess")) == "bad_client_secret"
    granted = await exchange(code)
    assert (granted["access_token"], granted["team"]["id"]) == (box.bot_token, box.state.team_id)
    assert granted["authed_user"]["id"] == "U0ANA"
    assert await error_of(exchange(code)) == "invalid_code"  # single use

    late = box.approve_install()
    frozen.set(frozen.now + timedelta(minutes=10, seconds=1))
    assert await error_of(exchange(late)) == "invalid_code"
    refresh = app.oauth_v2_access(
        client_id=box.client_id, client_secret=secret, grant_type="refresh_token", refresh_token="x"
    )
    assert await error_of(refresh) == "invalid_refresh_token"  # rotation is off


async def test_trigger_ids_expire_after_3_seconds_and_work_once(
    box: SlackSandbox, frozen: FrozenClock
) -> None:
    client = client_for(box)
    late = box.issue_trigger("U0ANA")
    frozen.set(frozen.now + timedelta(seconds=3, milliseconds=1))
    assert await error_of(client.views_open(trigger_id=late, view=MODAL)) == "expired_trigger_id"

    fresh = box.issue_trigger("U0ANA")
    opened = await client.views_open(trigger_id=fresh, view=MODAL)
    assert opened["view"]["id"].startswith("V")
    assert await error_of(client.views_open(trigger_id=fresh, view=MODAL)) == "exchanged_trigger_id"
    assert (
        await error_of(client.views_open(trigger_id="nonsense", view=MODAL)) == "invalid_trigger_id"
    )


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"title": {"type": "plain_text", "text": "x" * 25}}, "title over 24"),
        ({"submit": None}, "input without submit"),
        ({"private_metadata": "x" * 3001}, "metadata over 3000"),
        ({"blocks": [{**SECTION, "block_id": str(i)} for i in range(101)]}, "over 100 blocks"),
    ],
)
async def test_invalid_modals_are_refused(box: SlackSandbox, change: dict, why: str) -> None:
    view = {k: v for k, v in {**MODAL, **change}.items() if v is not None}
    trigger = box.issue_trigger("U0ANA")
    assert await error_of(client_for(box).views_open(trigger_id=trigger, view=view)) == (
        "invalid_arguments"
    ), why


async def test_views_update_needs_a_known_view_and_matching_hash(box: SlackSandbox) -> None:
    client = client_for(box)
    opened = (await client.views_open(trigger_id=box.issue_trigger("U0ANA"), view=MODAL))["view"]
    assert await error_of(client.views_update(view_id="V0NOPE", view=MODAL)) == "not_found"
    assert await error_of(client.views_update(view_id=opened["id"], hash="stale", view=MODAL)) == (
        "hash_conflict"
    )
    updated = await client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    assert updated["view"]["hash"] != opened["hash"]


async def test_home_views_cannot_have_submit(box: SlackSandbox) -> None:
    view = {"type": "home", "blocks": [SECTION], "submit": {"type": "plain_text", "text": "Go"}}
    assert await error_of(client_for(box).views_publish(user_id="U0ANA", view=view)) == (
        "invalid_arguments"
    )


async def test_users_info_reports_a_dst_aware_offset(
    box: SlackSandbox, frozen: FrozenClock
) -> None:
    user = (await client_for(box).users_info(user="U0ANA"))["user"]
    assert (user["tz"], user["tz_offset"]) == ("America/Los_Angeles", -8 * 3600)  # PST in November
    frozen.set(datetime(2026, 7, 1, tzinfo=UTC))
    user = (await client_for(box).users_info(user="U0ANA"))["user"]
    assert user["tz_offset"] == -7 * 3600  # PDT


async def test_rate_limits_answer_429_with_an_integer_retry_after(
    box: SlackSandbox, frozen: FrozenClock
) -> None:
    box.set_rate_limit("users.info", per_minute=2)
    client = client_for(box)
    await client.users_info(user="U0ANA")
    await client.users_info(user="U0ANA")
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="U0ANA")
    assert caught.value.response.status_code == 429
    assert caught.value.response["error"] == "ratelimited"
    assert caught.value.response.headers["Retry-After"] == "60"
    frozen.set(frozen.now + timedelta(seconds=60))
    assert (await client.users_info(user="U0ANA"))["ok"]


async def test_each_workspace_has_its_own_token_and_its_own_rate_limits(
    box: SlackSandbox,
) -> None:
    other = box.add_team("T0SECOND")
    assert (await client_for(box, other).auth_test())["team_id"] == "T0SECOND"
    assert (await client_for(box).auth_test())["team_id"] == box.state.team_id
    box.set_rate_limit("chat.postMessage", per_minute=1)
    for token in (box.bot_token, other):  # one a minute in each workspace, not in all
        assert (await client_for(box, token).chat_postMessage(channel="U0ANA", text="hi"))["ok"]
    refused = client_for(box, other).chat_postMessage(channel="U0ANA", text="again")
    assert await error_of(refused) == "ratelimited"
    box.rate_limit_next("users.info", count=5, team="T0SECOND")
    assert (await client_for(box).users_info(user="U0ANA"))["ok"]  # the fault is the other's
    assert await error_of(client_for(box, other).users_info(user="U0ANA")) == "ratelimited"
    teams = {call.team_id for call in box.calls_to("users.info")}
    assert teams == {box.state.team_id, "T0SECOND"}
    # Installing in the second workspace hands out its token.
    app = AsyncWebClient(base_url=box.api_url)
    code = box.approve_install("U0ANA", team_id="T0SECOND")
    granted = await app.oauth_v2_access(
        client_id=box.client_id, client_secret=box.client_secret, code=code
    )
    assert (granted["access_token"], granted["team"]["id"]) == (other, "T0SECOND")


async def test_bot_client_retries_a_429_and_a_dropped_answer_is_a_5xx(
    box: SlackSandbox, database_url: str
) -> None:
    bot_client = make_web_client(make_settings(database_url, box), box.bot_token)
    box.rate_limit_next("users.info", count=1, retry_after=0)
    assert (await bot_client.users_info(user="U0ANA"))["ok"]
    assert [c.status for c in box.calls_to("users.info")] == [429, 200]

    box.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as caught:
        await bot_client.chat_postMessage(channel="U0ANA", text="hi")
    assert caught.value.response.status_code == 503
    assert box.messages_to("U0ANA") == []


async def test_response_urls_take_five_posts(box: SlackSandbox) -> None:
    import httpx

    url = box.issue_response_url("U0ANA", None)
    async with httpx.AsyncClient() as http:
        statuses = [(await http.post(url, json={"text": "ok"})).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [404]
