"""The sandbox's file methods refuse what Slack's would, and coach's upload goes through them:
a single-use upload URL that expires, the declared size, a real PNG, completion once, and
image blocks that may only show a completed image the bot uploaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from app.clock import FrozenClock
from app.sandbox.png_check import png_info
from app.sandbox.server import SlackSandbox
from app.slack.files import UploadFailed, upload_file, upload_url_allowed
from tests.support.png import tiny_png


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))


@pytest.fixture
async def box(frozen: FrozenClock) -> Any:
    sandbox = SlackSandbox(clock=frozen)
    await sandbox.start()
    sandbox.add_user("U0ANA", "Ana", "America/Los_Angeles")
    yield sandbox
    await sandbox.stop()


def client_for(box: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=box.bot_token, base_url=box.api_url)


def image(file_id: str) -> dict[str, Any]:
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": "a chart"}


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def post_bytes(url: str, data: bytes) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=data) as response:
        return response.status, await response.text()


async def test_an_uploaded_png_shows_in_a_message_and_a_home_view(box: SlackSandbox) -> None:
    client = client_for(box)
    uploaded = await upload_file(client, filename="trend.png", content=tiny_png(), title="Trend")
    assert box.state.files[uploaded.file_id].uploaded == tiny_png()
    posted = await client.chat_postMessage(
        channel="U0ANA", text="Your week", blocks=[image(uploaded.file_id)]
    )
    assert posted["ok"]
    home = {"type": "home", "blocks": [image(uploaded.file_id)]}
    assert (await client.views_publish(user_id="U0ANA", view=home))["ok"]
    assert box.messages_to("U0ANA")[0].blocks == [image(uploaded.file_id)]


async def test_a_file_shared_into_a_dm_arrives_there_with_its_comment(box: SlackSandbox) -> None:
    client = client_for(box)
    await upload_file(
        client,
        filename="history.csv",
        content=b"week,rep\n2026-W48,Ana\n",
        title="Coaching history",
        channel_id="U0ANA",
        initial_comment="Here's the history.",
    )
    [message] = box.messages_to("U0ANA")
    assert message.text == "Here's the history." and message.files


async def test_the_upload_url_works_once_and_expires(
    box: SlackSandbox, frozen: FrozenClock
) -> None:
    client = client_for(box)
    png = tiny_png()
    first = await client.files_getUploadURLExternal(filename="a.png", length=len(png))
    assert (await post_bytes(first["upload_url"], png))[0] == 200
    assert (await post_bytes(first["upload_url"], png))[0] == 404  # single-use
    late = await client.files_getUploadURLExternal(filename="b.png", length=len(png))
    frozen.set(frozen.now + timedelta(minutes=11))
    assert (await post_bytes(late["upload_url"], png))[0] == 404
    with pytest.raises(UploadFailed) as caught:
        await upload_file(client, filename="c.png", content=b"", title="empty")
    assert caught.value.reason == "invalid_arguments"  # a zero length is refused


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (tiny_png()[:-4], "truncated: the declared length is not what arrived"),
        (b"GIF89a" + b"\x00" * 60, "not a PNG at all"),
        (tiny_png()[:-12] + b"\x00" * 12, "no IEND chunk"),
    ],
)
async def test_bytes_that_are_not_the_declared_png_are_refused(
    box: SlackSandbox, data: bytes, why: str
) -> None:
    client = client_for(box)
    issued = await client.files_getUploadURLExternal(filename="a.png", length=len(tiny_png()))
    status, _ = await post_bytes(issued["upload_url"], data)
    assert status == 400, why
    assert box.state.files[issued["file_id"]].uploaded is None


async def test_completion_needs_the_bytes_and_happens_once(box: SlackSandbox) -> None:
    client = client_for(box)
    png = tiny_png()
    issued = await client.files_getUploadURLExternal(filename="a.png", length=len(png))
    files = [{"id": issued["file_id"]}]
    assert await error_of(client.files_completeUploadExternal(files=files)) == "file_not_found"
    # Not completed yet: no block may show it.
    refused = client.chat_postMessage(channel="U0ANA", text="x", blocks=[image(issued["file_id"])])
    assert await error_of(refused) == "invalid_blocks"
    await post_bytes(issued["upload_url"], png)
    assert (await client.files_completeUploadExternal(files=files))["ok"]
    assert await error_of(client.files_completeUploadExternal(files=files)) == "file_not_found"


@pytest.mark.parametrize(
    ("slack_file", "why"),
    [
        ({"id": "F99999999"}, "never uploaded"),
        ({"id": "not-a-file"}, "not a file id"),
        ({"id": "F00000001", "url": "https://files.slack.com/x.png"}, "both id and url"),
    ],
)
async def test_image_blocks_must_name_one_completed_image(
    box: SlackSandbox, slack_file: dict[str, str], why: str
) -> None:
    client = client_for(box)
    block = {"type": "image", "slack_file": slack_file, "alt_text": "a chart"}
    refused = client.chat_postMessage(channel="U0ANA", text="x", blocks=[block])
    assert await error_of(refused) == "invalid_blocks", why
    home = client.views_publish(user_id="U0ANA", view={"type": "home", "blocks": [block]})
    assert await error_of(home) == "invalid_arguments", why


async def test_a_csv_cannot_be_shown_as_an_image(box: SlackSandbox) -> None:
    client = client_for(box)
    csv = await upload_file(client, filename="a.csv", content=b"a,b\n", title="csv")
    refused = client.chat_postMessage(channel="U0ANA", text="x", blocks=[image(csv.file_id)])
    assert await error_of(refused) == "invalid_blocks"


async def test_uploading_needs_files_write(frozen: FrozenClock) -> None:
    box = SlackSandbox(clock=frozen, bot_scopes=frozenset({"chat:write"}))
    await box.start()
    try:
        with pytest.raises(UploadFailed) as caught:
            await upload_file(client_for(box), filename="a.png", content=tiny_png(), title="a")
        assert caught.value.reason == "missing_scope"
    finally:
        await box.stop()


async def test_a_429_is_waited_out_and_a_failed_upload_says_so(box: SlackSandbox) -> None:
    client = client_for(box)
    box.rate_limit_next("files.getUploadURLExternal", retry_after=0)
    assert (await upload_file(client, filename="a.png", content=tiny_png(), title="a")).file_id
    box.fail_uploads(1, status=500)
    with pytest.raises(UploadFailed) as caught:
        await upload_file(client, filename="b.png", content=tiny_png(), title="b")
    assert caught.value.reason == "upload_http_500"


def test_the_upload_url_must_be_slacks() -> None:
    api = "https://slack.com/api/"
    assert upload_url_allowed("https://files.slack.com/upload/v1/abc", api)
    assert not upload_url_allowed("http://files.slack.com/upload/v1/abc", api)
    assert not upload_url_allowed("https://files.slack.com.evil.example/upload", api)
    assert not upload_url_allowed("https://169.254.169.254/latest/meta-data", api)
    assert upload_url_allowed("http://127.0.0.1:8080/upload/v1/abc", "http://127.0.0.1:8080/api/")
    assert not upload_url_allowed("http://127.0.0.1:9999/upload", "http://127.0.0.1:8080/api/")


def test_the_png_check_reads_a_real_png() -> None:
    info = png_info(tiny_png(7, 5))
    assert info is not None and (info.width, info.height) == (7, 5)
    assert png_info(tiny_png()[:20]) is None


async def test_a_file_still_being_processed_cannot_be_shown_yet(box: SlackSandbox) -> None:
    client = client_for(box)
    box.hold_processing = True
    held = await upload_file(client, filename="a.png", content=tiny_png(), title="a")
    refused = client.chat_postMessage(channel="U0ANA", text="x", blocks=[image(held.file_id)])
    assert await error_of(refused) == "invalid_blocks"
    box.state.files[held.file_id].processing = False  # Slack's job finished
    posted = await client.chat_postMessage(channel="U0ANA", text="x", blocks=[image(held.file_id)])
    assert posted["ok"]
