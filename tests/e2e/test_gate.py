"""The gate in front of bolt: only signed, well-formed requests reach a listener; everything
else is a 400 or 401 with one log line that carries no body."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote, urlencode

import pytest

from app.deps import Deps
from app.sandbox.driver import SlackDriver
from app.slack.runtime import request_gate
from tests.support.factories import SIGNING_SECRET, count_rows, seed_org

MARKER = "Pelican7Saffron"  # stands for a private note: it must never reach a log


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


MALFORMED = {
    "payload-not-json": (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    "payload-a-list": (form(payload="[1, 2]"), "application/x-www-form-urlencoded"),
    "payload-a-number": (form(payload="42"), "application/x-www-form-urlencoded"),
    "payload-null": (form(payload="null"), "application/x-www-form-urlencoded"),
    "payload-deeply-nested": (
        form(payload='{"type": "block_actions", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
        "application/x-www-form-urlencoded",
    ),
    "form-not-utf8": (b"command=%2Fdrill&text=\xff\xfe", "application/x-www-form-urlencoded"),
    "percent-not-utf8": (b"command=%2Fdrill&text=%FF%FE", "application/x-www-form-urlencoded"),
    "json-a-list": (b"[]", "application/json"),
    "json-null": (b"null", "application/json"),
    "json-broken": (b'{"type": "event_callback", ', "application/json"),
    "json-deeply-nested": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "event-without-team": (
        json.dumps(
            {"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}
        ).encode(),
        "application/json",
    ),
    "event-not-an-object": (
        json.dumps(
            {"type": "event_callback", "team_id": "T0SANDBOX", "event_id": "Ev1", "event": 7}
        ).encode(),
        "application/json",
    ),
    "click-user-not-an-object": (
        form(
            payload=json.dumps(
                {"type": "block_actions", "team": {"id": "T0SANDBOX"}, "user": "U0ADMIN"}
            )
        ),
        "application/x-www-form-urlencoded",
    ),
    "click-without-actions": (
        form(
            payload=json.dumps(
                {"type": "block_actions", "team": {"id": "T0SANDBOX"}, "user": {"id": "U0ADMIN"}}
            )
        ),
        "application/x-www-form-urlencoded",
    ),
    "command-without-user": (
        form(command="/coach", text="remove <@U0REPA1>", team_id="T0SANDBOX"),
        "application/x-www-form-urlencoded",
    ),
    "command-user-40-long": (
        form(
            command="/coach",
            text="status",
            team_id="T0SANDBOX",
            user_id="U" + "A" * 39,
            response_url="https://hooks.slack.com/commands/1",
        ),
        "application/x-www-form-urlencoded",
    ),
    "repeated-field": (
        b"command=%2Fcoach&command=%2Fdrill&team_id=T0SANDBOX&user_id=U0ADMIN",
        "application/x-www-form-urlencoded",
    ),
    "unknown-form": (form(hello="world"), "application/x-www-form-urlencoded"),
    "xml": (b"<xml/>", "text/xml"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_malformed_signed_bodies_get_400_and_change_nothing(
    case: str, driver: SlackDriver, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    body, content_type = MALFORMED[case]
    caplog.set_level(logging.DEBUG)
    answer = await driver.post(body, content_type)
    assert answer.status in (400, 415), (answer.status, answer.text)
    assert await count_rows(deps) == before
    refused = [r for r in caplog.records if r.getMessage().startswith("refused a Slack request")]
    assert len(refused) == 1
    assert not any(r.exc_info or r.exc_text for r in caplog.records)  # no traceback anywhere


@pytest.mark.parametrize("timestamp", ["soon", "1.5e9", "", "-1", "١٧٠٠٠٠٠٠٠٠", "9" * 40], ids=repr)
async def test_a_timestamp_that_is_not_a_number_is_401(
    timestamp: str, driver: SlackDriver, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_org(deps)
    before = await count_rows(deps)
    body = driver.command_body("U0ADMIN", "/coach", "add <@U0NEW> rep <@U0MGRA>")
    response = await driver.http.post(
        driver.events_url,
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp.encode(),  # type: ignore[dict-item]
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert response.status_code == 401
    assert await count_rows(deps) == before
    assert not any(r.exc_info or r.exc_text for r in caplog.records)


@pytest.mark.parametrize(
    "forgery",
    [{"timestamp": int(time.time()) - 6 * 60}, {"secret": "the-previous-signing-secret"}],
    ids=["clock-off-by-six-minutes", "previous-secret"],
)
async def test_a_refused_request_leaves_its_body_out_of_the_log(
    forgery: dict, driver: SlackDriver, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    """bolt's own check logged the whole body at INFO: private GROW notes included."""
    await seed_org(deps)
    caplog.set_level(logging.DEBUG)
    view = {"id": "V1", "callback_id": "grow_modal", "private_metadata": "", "state": {}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U0MGRA"},
        "trigger_id": "1.2.ab",
        "view": {**view, "state": {"values": {"private_notes": {"value": {"value": MARKER}}}}},
    }
    body = form(payload=json.dumps(payload))
    answer = await driver.post(body, "application/x-www-form-urlencoded", **forgery)
    assert answer.status == 401
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert MARKER not in logged and quote(MARKER) not in logged
    assert "refused a Slack request" in logged


def test_the_signature_check_takes_slacks_own_signature() -> None:
    body = b"command=%2Fdrill&text=help"
    timestamp = "1700000000"
    headers = {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": request_gate.signature_of(SIGNING_SECRET, timestamp, body),
    }
    assert request_gate.check_signature(SIGNING_SECRET, headers, body, 1_700_000_100) is None
    assert request_gate.check_signature(SIGNING_SECRET, headers, body + b"x", 1_700_000_100) == (
        request_gate.Refused(401, "bad_signature")
    )
    assert request_gate.check_signature(SIGNING_SECRET, headers, body, 1_700_000_301) == (
        request_gate.Refused(401, "stale_timestamp")
    )
    assert request_gate.check_signature("another", headers, body, 1_700_000_000) == (
        request_gate.Refused(401, "bad_signature")
    )
