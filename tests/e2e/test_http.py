"""The bot over real HTTP: signatures, acks, health, size limits and the error handler."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import httpx
import pytest

from app.clock import system_clock
from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.sandbox.harness import RunningBot, start_bot
from app.web import MAX_BODY_BYTES
from tests.support.factories import count_rows, make_settings, seed_org


async def test_signed_drill_help_is_acked_with_ephemeral_text(driver: SlackDriver) -> None:
    answer = await driver.command("U0REPA1", "/drill", "help")
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "/drill done" in body["text"]
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert any("/drill status" in text and "/drill help" in text for text in sections)


async def test_unknown_drill_subcommand_says_so(driver: SlackDriver) -> None:
    body = (await driver.command("U0REPA1", "/drill", "dance")).json()
    assert body["text"].startswith("I don't know `/drill dance`.")


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "wrong-secret"},
        {"timestamp": int(time.time()) - 6 * 60},  # older than Slack's 5-minute window
        {"signed": False},
    ],
    ids=["bad-signature", "stale-timestamp", "unsigned"],
)
async def test_forged_requests_get_401_and_write_nothing(
    driver: SlackDriver, deps: Deps, forgery: dict
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    answer = await driver.command("U0ADMIN", "/coach", "add <@U0NEW> rep <@U0MGRA>", **forgery)
    assert answer.status == 401
    assert await count_rows(deps) == before


async def test_tampered_body_gets_401(driver: SlackDriver, deps: Deps) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    body = driver.command_body("U0REPA1", "/coach", "add <@U0NEW> rep <@U0MGRA>")
    ts = str(int(time.time()))
    from app.sandbox.driver import sign

    signature = sign(driver.signing_secret, ts, body)
    tampered = body.replace(b"U0REPA1", b"U0ADMIN")  # pretend to be the admin
    response = await driver.http.post(
        driver.events_url,
        content=tampered,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    assert response.status_code == 401
    assert await count_rows(deps) == before


async def test_oversized_body_is_refused(driver: SlackDriver) -> None:
    body = urlencode({"text": "x" * (MAX_BODY_BYTES + 1)}).encode()
    answer = await driver.post(body, "application/x-www-form-urlencoded")
    assert answer.status == 413


async def test_healthz_is_200_when_the_database_answers(bot: RunningBot) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(bot.url + "/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


async def test_healthz_is_503_when_the_database_does_not_answer(sandbox) -> None:
    settings = make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none", sandbox)
    deps = Deps.build(settings, system_clock)
    bot = await start_bot(deps)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(bot.url + "/healthz")
        assert response.status_code == 503
        assert response.json()["ok"] is False
    finally:
        await bot.stop()
        await deps.close()


async def test_unexpected_error_shows_a_reference_and_logs_it(
    driver: SlackDriver,
    deps: Deps,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services import people

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(people, "actor", broken)
    answer = await driver.command("U0ADMIN", "/coach", "remove <@U0REPA1>")
    assert answer.status == 200
    text = answer.json()["text"]
    assert text.startswith("Sorry, something went wrong on our side and nothing was saved.")
    reference = text.split("`")[1]
    assert len(reference) == 8
    assert any(f"ref={reference}" in record.getMessage() for record in caplog.records)
