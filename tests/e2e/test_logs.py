"""Logs: a week at DEBUG leaks no token, secret or note; JSON lines carry the extra fields."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from app import logs
from app.db.store import Store
from app.demo.form_values import focus
from app.rules.types import Step
from app.sandbox.driver import button_value, chosen, typed
from app.sandbox.server import SlackSandbox
from app.slack.ids import Action
from tests.support.factories import SIGNING_SECRET, is_postgres
from tests.support.grow import CHECK, NUMBER, held_to
from tests.support.log_capture import Capture
from tests.support.week import TEAM_CSV, TZ, Week, open_week

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xoxe-")


class Typed:
    """Free text people type during the week, each with a marker word that survives URL and
    JSON encoding, so a leak shows whatever encoding the logger used."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.markers: list[str] = []

    def __call__(self, text: str) -> str:
        marker = f"Quokka{len(self.markers)}Fjord"
        self.markers.append(marker)
        self.texts.append(f"{text} {marker}")
        return self.texts[-1]


@pytest.fixture
async def week(database_url: str, sandbox: SlackSandbox) -> AsyncIterator[Week]:
    async with open_week(database_url, sandbox, TEAM_CSV, TZ, MONDAY) as opened:
        yield opened


async def type_through_a_week(week: Week, say: Typed) -> None:
    """Deals in a modal and in a DM, a diagnosis, GROW notes, a mistyped command, a drill note."""
    await week.run_until(MONDAY + timedelta(hours=18))  # Monday 10:00 in Los Angeles
    prompt = await week.last_dm("U0REPLA", Step.REP_PROMPT)
    view = await week.driver.open_modal("U0REPLA", prompt, Action.OPEN_DEALS)
    deals = {
        "deal1_name": typed(say("Acme")),
        "deal1_stage": typed("Proposal"),
        "deal1_clip_url": typed("https://app.gong.io/call?id=1"),
        "deal1_moment": typed("12:30"),
        "deal1_happened": typed(say("CFO pushed back on price")),
    }
    assert (await week.driver.submit("U0REPLA", view, deals)).status == 200
    since = week.sandbox.mark()
    dm = say("1. Globex (discovery) https://acme.zoom.us/rec/2 4:05 - champion went quiet")
    await week.driver.dm("U0REPNY", dm)
    await week.sandbox.wait_for_call("chat.postMessage", since=since)

    await week.run_until(MONDAY + timedelta(days=1, hours=18))  # Tuesday: prep
    prep = await week.last_dm("U0MGRA", Step.MANAGER_PREP)
    diagnose = button_value(prep, Action.DIAGNOSE, "prep:U0REPLA")
    view = await week.driver.open_modal("U0MGRA", prep, Action.DIAGNOSE, diagnose)
    diagnosis = {
        "can_do": chosen("no", "radio_buttons"),
        **focus("objection_handling", 2),
        "evidence_url": typed("https://app.gong.io/call?id=1"),
        "evidence_moment": typed("12:30"),
    }
    assert (await week.driver.submit("U0MGRA", view, diagnosis)).status == 200

    await week.run_until(MONDAY + timedelta(days=2, hours=18))  # Wednesday: the 1:1
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
    view = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)
    grow = {
        "goal": typed(say("CFO agrees to a business-case review")),
        "reality": typed(say("Discounted at the first push")),
        "options": typed("\n".join(say(o) for o in ("Reframe", "Cost of delay", "Champion"))),
        "commitment": typed(say("Use the reframe on three calls")),
        "drill_choice": chosen("objection_reframe"),
        "practice_reps": typed("3"),
        "private_notes": typed(say("seems tired lately")),
        **held_to(view, say(NUMBER), say(CHECK)),
    }
    answer = await week.driver.submit("U0MGRA", view, grow)
    assert answer.json()["response_action"] == "update", answer.text

    await week.run_until(MONDAY + timedelta(days=3, hours=20))  # Thursday: the drill
    typo = await week.driver.command("U0REPLA", "/drill", say("dnoe"))
    assert "I don't know" in typo.json()["text"]  # the answer quotes what was typed
    done = await week.driver.command(
        "U0REPLA", "/drill", say("done https://app.gong.io/call?id=9 nailed it")
    )
    assert "Recorded your" in done.json()["text"]
    await week.run_until(MONDAY + timedelta(days=5))


async def test_a_week_at_debug_logs_no_token_secret_or_note(
    debug_capture: Capture, week: Week
) -> None:
    """Logging is configured before the bot is built, as `coach serve` does."""
    say = Typed()
    await type_through_a_week(week, say)
    await week.settle()

    assert logging.DEBUG in debug_capture.levels  # the capture saw everything
    output = "\n".join(debug_capture.lines)
    leaks = [p for p in (*TOKEN_PREFIXES, SIGNING_SECRET, *say.texts, *say.markers) if p in output]
    assert leaks == []


def test_json_lines_carry_extra_fields_and_the_traceback(
    restored_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LOG_FORMAT", "json")
    logs.configure("INFO")
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, logs.JsonFormatter)
    ]
    buffer = io.StringIO()
    handler.setStream(buffer)
    log = logging.getLogger("coach.test")
    log.info("delivery sent id=%s", 7, extra={"delivery_id": 7, "job_id": "coach-tick"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("tick failed", extra={"job_id": "coach-tick"})
    log.warning("token xoxb-123-456-abcdef refused")
    log.debug("below the level")

    lines = buffer.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == [
        "delivery sent id=7",
        "tick failed",
        "token [redacted token] refused",
    ]
    sent, failed, _ = entries
    assert sent["delivery_id"] == 7 and sent["job_id"] == "coach-tick"
    assert sent["level"] == "INFO" and sent["logger"] == "coach.test"
    assert datetime.fromisoformat(sent["ts"]).utcoffset() == timedelta(0)
    assert failed["level"] == "ERROR"
    assert 'raise RuntimeError("boom")' in failed["exc_info"]  # where it was raised ...
    assert "RuntimeError (message withheld" in failed["exc_info"]  # ... but not what it said


def test_slack_loggers_never_debug(restored_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LOG_LEVEL", "debug")
    logs.configure("INFO", fmt="text")
    assert logging.getLogger().level == logging.DEBUG
    for name in ("slack_bolt", "slack_sdk.web.async_base_client", "aiosqlite"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name


# --- notes in the log, refused or accepted, in both formats ---------------------------------
def our_handler_output(buffer: io.StringIO) -> None:
    """Point the handler logs.configure installed at `buffer` (what coach writes to stderr)."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logs._CoachHandler)]
    handler.setStream(buffer)


def grow_submission(marker: str, *, options: str) -> dict[str, Any]:
    return {
        "goal": typed(f"goal {marker}"),
        "reality": typed(f"reality {marker}"),
        "options": typed(options),
        "commitment": typed(f"commitment {marker}"),
        "drill_choice": chosen("objection_reframe"),
        "private_notes": typed(f"private {marker}"),
        "accountability": typed(f"number {marker}"),
        "obstacles": typed(f"obstacles {marker}"),
        "follow_up_on": {"value": {"type": "datepicker", "selected_date": "2026-12-02"}},
        "follow_up_check": typed(f"check {marker}"),
    }


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_no_note_reaches_the_log_refused_failed_or_saved(
    fmt: str,
    week: Week,
    restored_logging: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At DEBUG, in text and in JSON: GROW notes refused by the form, refused at the gate
    (stale, old secret), failing in the database, and saved. The marker is in none of it."""
    monkeypatch.setenv("COACH_LOG_LEVEL", "DEBUG")
    logs.configure("INFO", fmt=fmt)
    raw = Capture()
    logging.getLogger().addHandler(raw)
    written = io.StringIO()
    our_handler_output(written)
    marker = "Narwhal9Cobalt"

    await week.run_until(MONDAY + timedelta(days=2, hours=18))  # Wednesday: the 1:1
    agenda = await week.last_dm("U0MGRA", Step.ONE_ON_ONE)
    value = button_value(agenda, Action.LOG_NOTES, "agenda:U0REPLA")
    view = await week.driver.open_modal("U0MGRA", agenda, Action.LOG_NOTES, value)

    # Refused by the form: two options where three are needed.
    too_few = await week.driver.submit("U0MGRA", view, grow_submission(marker, options="a\nb"))
    assert too_few.json()["response_action"] == "errors"
    # Refused at the gate: a clock six minutes off, and a rotated-out signing secret.
    body = form_body(view, grow_submission(marker, options="a\nb\nc"))
    for forgery in ({"timestamp": int(time.time()) - 360}, {"secret": "previous-secret"}):
        refused = await week.driver.post(body, "application/x-www-form-urlencoded", **forgery)
        assert refused.status == 401

    # The database fails mid-write, quoting the value it refused (PostgreSQL does).
    async def failing(self: Store, *args: Any, **kwargs: Any) -> None:
        cast = (
            "SELECT CAST(:value AS INTEGER)"
            if is_postgres(str(self.session.bind.url))
            else (
                "INSERT INTO one_on_one (person_id, cycle_week, held, options, created_at, "
                "updated_at, goal) VALUES (NULL, 'x', 1, '[]', :at, :at, :value)"
            )
        )
        await self.session.execute(text(cast), {"value": f"goal {marker}", "at": MONDAY})

    with monkeypatch.context() as patched:
        patched.setattr(Store, "save_one_on_one", failing)
        failed = await week.driver.submit(
            "U0MGRA", view, grow_submission(marker, options="a\nb\nc")
        )
    assert "Sorry, something went wrong" in json.dumps(failed.json())
    # Saved.
    saved = await week.driver.submit("U0MGRA", view, grow_submission(marker, options="a\nb\nc"))
    assert saved.json()["response_action"] == "update"
    await week.settle()

    output = "\n".join(raw.lines) + "\n" + written.getvalue()
    assert "refused a Slack request" in output and "unexpected error ref=" in output
    assert logging.DEBUG in raw.levels
    assert marker not in output
    if fmt == "json":
        assert all(json.loads(line) for line in written.getvalue().splitlines())


def form_body(view: dict[str, Any], values: dict[str, Any]) -> bytes:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U0MGRA"},
        "trigger_id": "1.2.ab",
        "view": {"type": "modal", **view, "state": {"values": values}},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()
